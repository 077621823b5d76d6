// The enrollment procedures through a real kiosk (real SQLite store, real dispatcher, the
// workflow behind them): who may start which flow and when the kiosk refuses to start one (not
// provisioned, too many held for review), what reaches the store and the audit log (never
// document data, notes or photos), how reads reach the screens on the document step, the face
// exception, an officer called to a business owner's screen, how an enrollment ends (and what a
// restart does with one left on a step), and the keyboard-wedge path that tells a reader's burst
// from a person typing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { startDeviceRig, type DeviceRig } from '../../../../main/devices/device-rig.js';
import type { DocumentReaderService } from '../../../../main/devices/document-reader-service.js';
import { captureFromMrz } from '../../../../main/enrollment/document-capture.js';
import type { EnrollmentView } from '../../../../main/enrollment/enrollment.js';
import { openKiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import { setSetting } from '../../../../main/store/settings.js';
import { DeviceError } from '../../../../native/device-error.js';
import type { DocumentReading } from '../../../../native/idreader/document-reader.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { insertHeldEnrollment } from '../../../fixtures/held-enrollments.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, provisionOffline,
  type FixtureKey, type KioskHarness, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';
import { NOW, PASSPORT } from '../../../unit/main/enrollment/sample-documents.js';

const DOCUMENT_NUMBER = PASSPORT.documentNumber;
const PASSPORT_LINES = formatMrz(PASSPORT, 'TD3');

let h: KioskHarness;
let rig: DeviceRig;
let reader: DocumentReaderService;
let rigStopped: Promise<void> | null;
/** Stops the device rig once (a test that stops the kiosk stops its devices first). */
const stopRig = () => (rigStopped ??= rig.stop());

beforeEach(async () => {
  h = await openKioskHarness({ now: () => NOW });
  // The kiosk's own device rig, with a configured reader that is not plugged in: the test
  // plays the reader by emitting what its service would.
  setSetting(h.kiosk.db, 'devices', { documentReader: { kind: 'mrz', path: path.join(h.dataDir, 'no-reader'), framing: { framing: 'lines' } } });
  rig = await startDeviceRig({ dataDir: h.dataDir, db: h.kiosk.db, now: () => NOW });
  h.kiosk.attachDevices(rig);
  reader = rig.documentReader!;
  rigStopped = null;
});

afterEach(async () => {
  vi.useRealTimers();
  await stopRig();
  h.close();
});

const passportReading = (lines = PASSPORT_LINES): DocumentReading => ({ kind: 'mrz', at: NOW, result: parseMrz(lines, { now: NOW }) });
/** What a screen is shown of the passport's read (each read gets its own id). */
const passportView = () => ({ ...captureFromMrz(parseMrz(PASSPORT_LINES, { now: NOW }), 'mrz', NOW).view, readId: expect.any(String) });

type Who = FixtureKey | 'anonymous';
const screenOf = async (who: Who): Promise<RecordedScreen> => (who === 'anonymous' ? h.openScreen() : h.loggedIn(who));

async function started(who: Who, flow: 'person' | 'company' = 'person'): Promise<RecordedScreen & { enrollment: EnrollmentView }> {
  const recorded = await screenOf(who);
  const enrollment = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.start', { flow }));
  return { ...recorded, enrollment };
}

const current = async (screen: ScreenSession) => outputOf<EnrollmentView | null>(await h.call(screen, 'enrollment.current'));
const pendingReadId = async ({ screen }: RecordedScreen) => (await current(screen))!.pendingRead!.readId;
const ref = (key: FixtureKey) => {
  const { id, name, role } = h.operator(key);
  return { id, name, role };
};
const failedAttempts = (key: FixtureKey) =>
  (h.kiosk.db.prepare('SELECT failed_attempts FROM operators WHERE id = ?').get(h.operator(key).id) as { failed_attempts: number }).failed_attempts;
const audited = (rows: ReturnType<typeof auditRowsAfter>) => rows.map((row) => [row.actor, row.action, JSON.parse(row.details) as unknown]);
const changes = ({ events }: RecordedScreen) => events.filter((e) => e.name === 'enrollment.changed').map((e) => e.payload as EnrollmentView);
const enrollmentRows = () => h.kiosk.db.prepare('SELECT * FROM enrollments ORDER BY created_at, id').all() as Array<Record<string, unknown>>;
const enrollmentRow = (id: string) => h.kiosk.db.prepare('SELECT * FROM enrollments WHERE id = ?').get(id) as Record<string, unknown> | undefined;

async function acceptPassport(recorded: RecordedScreen): Promise<void> {
  reader.emit('reading', passportReading());
  outputOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: await pendingReadId(recorded) }));
}

describe('enrollment.start', () => {
  it.each<[Who, string]>([['anonymous', 'RPC_UNAUTHENTICATED'], ['technician', 'RPC_FORBIDDEN']])('refuses the person flow to %s (%s) and records nothing', async (who, code) => {
    const recorded = await screenOf(who);
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(recorded.screen, 'enrollment.start', { flow: 'person' })).code).toBe(code);
    expect(enrollmentRows()).toEqual([]);
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(await current(recorded.screen)).toBeNull();
  });

  it.each<FixtureKey>(['officer', 'supervisor'])('starts the person flow for a logged-in %s', async (who) => {
    const { enrollment } = await started(who);
    expect(enrollment).toMatchObject({
      flow: 'person', state: 'document', step: 'document', steps: ['document', 'face', 'fingerprints', 'details', 'review'],
      ranBy: ref(who), assistedBy: null, secondApproval: [],
    });
  });

  it.each<Who>(['anonymous', 'officer', 'supervisor', 'technician'])('starts the company flow for %s', async (who) => {
    const { screen, enrollment } = await started(who, 'company');
    expect(enrollment).toMatchObject({
      flow: 'company', state: 'document', step: 'document', steps: ['document', 'face', 'details', 'review'],
      ranBy: who === 'anonymous' ? null : ref(who),
    });
    expect(await current(screen)).toEqual(enrollment);
  });

  it('writes an enrollments row with nothing but id, flow, state and operator, and an audit entry', async () => {
    const before = auditHeadSeq(h.kiosk);
    const { enrollment } = await started('officer');
    const officerId = h.operator('officer').id;
    expect(enrollmentRows()).toEqual([{
      id: enrollment.id, flow: 'person', state: 'document', operator_id: officerId,
      created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
      // Set only once it is held or decided.
      second_approval: null, held_at: null, held_by: null, decided_at: null, decided_by: null, rejection_reason: null, record_id: null,
    }]);
    const rows = auditRowsAfter(h.kiosk, before).filter((row) => row.action !== 'auth.login');
    expect(rows).toEqual([{
      seq: expect.any(Number), actor: `operator:${officerId}`, action: 'enrollment.start',
      details: JSON.stringify({ enrollmentId: enrollment.id, flow: 'person' }),
    }]);
  });

  it('records an anonymous company enrollment without an operator', async () => {
    const { enrollment } = await started('anonymous', 'company');
    expect(enrollmentRow(enrollment.id)).toMatchObject({ flow: 'company', state: 'document', operator_id: null });
  });

  it('abandons the enrollment under way when the screen starts another', async () => {
    const recorded = await started('officer');
    const before = auditHeadSeq(h.kiosk);
    const second = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.start', { flow: 'company' }));
    expect(second.id).not.toBe(recorded.enrollment.id);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'abandoned' });
    expect(auditRowsAfter(h.kiosk, before).map((row) => [row.action, JSON.parse(row.details)])).toEqual([
      ['enrollment.abandoned', { enrollmentId: recorded.enrollment.id, reason: 'restarted' }],
      ['enrollment.start', { enrollmentId: second.id, flow: 'company' }],
    ]);
  });
});

describe('when no enrollment may start', () => {
  it('refuses on a kiosk that is not provisioned, writing nothing, and starts once an identity is stored and picked up', async () => {
    const fresh = await openKioskHarness({ now: () => NOW, provisioned: false });
    try {
      const officer = await fresh.loggedIn('officer');
      const owner = fresh.openScreen();
      const before = auditHeadSeq(fresh.kiosk);
      for (const [recorded, flow] of [[officer, 'person'], [owner, 'company']] as const) {
        expect(errorOf(await fresh.call(recorded.screen, 'enrollment.start', { flow })).code).toBe('KIOSK_NOT_PROVISIONED');
        expect(outputOf(await fresh.call(recorded.screen, 'enrollment.current'))).toBeNull();
      }
      expect(fresh.kiosk.db.prepare('SELECT count(*) AS n FROM enrollments').get()).toEqual({ n: 0 });
      expect(auditRowsAfter(fresh.kiosk, before)).toEqual([]);
      expect(outputOf(await fresh.call(owner.screen, 'system.status'))).toMatchObject({ enrollmentBlocked: 'not-provisioned' });

      // What `gatehouse provision` leaves in the data directory, picked up by the running kiosk.
      provisionOffline(fresh.dataDir, fresh.kiosk.db);
      fresh.kiosk.provisioning.refresh();
      expect(owner.events.filter((e) => e.name === 'system.statusChanged').at(-1)?.payload).toMatchObject({ enrollmentBlocked: null });
      expect(outputOf(await fresh.call(officer.screen, 'enrollment.start', { flow: 'person' })))
        .toMatchObject({ flow: 'person', state: 'document', ranBy: { id: fresh.operator('officer').id } });
      expect(outputOf(await fresh.call(owner.screen, 'enrollment.start', { flow: 'company' }))).toMatchObject({ state: 'document', ranBy: null });
    } finally {
      fresh.close();
    }
  });

  it('refuses while heldEnrollmentLimit enrollments wait for a supervisor, and not before', async () => {
    const technician = await h.loggedIn('technician');
    outputOf(await h.call(technician.screen, 'settings.update', { heldEnrollmentLimit: 2 }));
    const officerId = h.operator('officer').id;
    insertHeldEnrollment(h.kiosk.db, { by: officerId, at: NOW });
    const underWay = await started('officer'); // one held, two allowed
    insertHeldEnrollment(h.kiosk.db, { by: officerId, at: NOW, reasons: ['finger-exception'] });

    const supervisor = await h.loggedIn('supervisor');
    const owner = h.openScreen();
    const rows = enrollmentRows().length;
    const before = auditHeadSeq(h.kiosk);
    for (const [recorded, flow] of [[supervisor, 'person'], [owner, 'company']] as const) {
      expect(errorOf(await h.call(recorded.screen, 'enrollment.start', { flow })))
        .toMatchObject({ code: 'ENROLLMENT_HELD_LIMIT', message: expect.stringContaining('supervisor'), details: { limit: 2 } });
    }
    expect(enrollmentRows()).toHaveLength(rows);
    expect(auditRowsAfter(h.kiosk, before)).toEqual([]);
    expect(outputOf(await h.call(owner.screen, 'system.status'))).toMatchObject({ heldEnrollments: 2, enrollmentBlocked: 'held-limit' });

    // An enrollment started before the limit was reached goes on.
    await acceptPassport(underWay);
    expect(await current(underWay.screen)).toMatchObject({ id: underWay.enrollment.id, step: 'face' });

    outputOf(await h.call(technician.screen, 'settings.update', { heldEnrollmentLimit: 3 }));
    expect(outputOf(await h.call(owner.screen, 'system.status'))).toMatchObject({ heldEnrollments: 2, enrollmentBlocked: null });
    expect(outputOf(await h.call(supervisor.screen, 'enrollment.start', { flow: 'person' }))).toMatchObject({ state: 'document' });
  });
});

describe('document reads', () => {
  it('reach only the screens on the document step, each with an enrollment.changed event', async () => {
    const waiting = await started('officer');
    const alsoWaiting = await started('anonymous', 'company');
    const pastDocument = await started('supervisor');
    await acceptPassport(pastDocument);
    const idle = h.openScreen();
    const seen = (r: RecordedScreen) => changes(r).length;
    const counts = [waiting, alsoWaiting, pastDocument, idle].map(seen);

    reader.emit('reading', passportReading());

    expect([waiting, alsoWaiting, pastDocument, idle].map(seen)).toEqual([counts[0]! + 1, counts[1]! + 1, counts[2], counts[3]]);
    for (const r of [waiting, alsoWaiting]) {
      expect(changes(r).at(-1)).toMatchObject({ id: r.enrollment.id, step: 'document', pendingRead: passportView() });
      expect((await current(r.screen))?.pendingRead).toEqual(passportView());
    }
    expect((await current(pastDocument.screen))).toMatchObject({ step: 'face', pendingRead: null });
    expect(await current(idle.screen)).toBeNull();
  });

  it('reach the document step with read failures too', async () => {
    const waiting = await started('officer');
    reader.emit('failure', new DeviceError('MRZ_FRAME_CUT', 'The read was cut off; read the document again.'));
    expect(changes(waiting).at(-1)).toMatchObject({
      readFailure: { at: NOW.toISOString(), code: 'MRZ_FRAME_CUT', message: 'The read was cut off; read the document again.' }, pendingRead: null,
    });
  });

  it('are accepted with an audit entry that carries no document data, and move the enrollment on', async () => {
    const recorded = await started('officer');
    const before = auditHeadSeq(h.kiosk);
    reader.emit('reading', passportReading());
    const readId = await pendingReadId(recorded);
    const after = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId }));
    expect(after).toMatchObject({ step: 'face', pendingRead: null, document: { ...passportView(), readId } });
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'face' });

    const rows = auditRowsAfter(h.kiosk, before);
    expect(rows.map((row) => [row.actor, row.action, JSON.parse(row.details)])).toEqual([
      [`operator:${h.operator('officer').id}`, 'enrollment.document-accepted', { enrollmentId: recorded.enrollment.id, correctionApplied: false, chip: 'none' }],
    ]);
    const everyAuditRow = JSON.stringify(auditRowsAfter(h.kiosk, 0));
    for (const secret of [DOCUMENT_NUMBER, 'ERIKSSON', '740812', '1974-08-12', ...PASSPORT_LINES]) {
      expect(everyAuditRow).not.toContain(secret);
      expect(JSON.stringify(enrollmentRows())).not.toContain(secret);
    }
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
  });

  it('leave no document data in the store files', async () => {
    await acceptPassport(await started('officer'));
    const files = fs.readdirSync(h.dataDir, { recursive: true, encoding: 'utf8' })
      .map((name) => path.join(h.dataDir, name)).filter((file) => fs.statSync(file).isFile());
    expect(files.some((file) => file.endsWith('.sqlite') || file.endsWith('.db') || file.includes('-wal'))).toBe(true);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(DOCUMENT_NUMBER), file).toBe(false);
      expect(bytes.includes(PASSPORT_LINES[1]!), file).toBe(false);
    }
  });

  it('refuse an invalid or unknown read without changing the store or the audit log', async () => {
    const recorded = await started('officer');
    const lines = PASSPORT_LINES.map((line, i) => (i === 1 ? `${line.slice(0, 19)}${(Number(line[19]) + 1) % 10}${line.slice(20)}` : line));
    reader.emit('reading', passportReading(lines));
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: await pendingReadId(recorded) })).code)
      .toBe('ENROLLMENT_DOCUMENT_INVALID');
    expect(errorOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: 'stale' })).code).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'document' });
  });

  it('are dropped by retryDocument', async () => {
    const recorded = await started('officer');
    reader.emit('reading', passportReading());
    expect(outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.retryDocument'))).toMatchObject({ pendingRead: null });
  });
});

describe('the face exception', () => {
  const NOTE = 'Eye patch after surgery';

  it('is recorded by an officer with reason, note and photo and moves the enrollment on; the audit log gets the reason only', async () => {
    const recorded = await started('officer');
    await acceptPassport(recorded);
    const photo = exceptionPhoto(120);
    const before = auditHeadSeq(h.kiosk);
    const refused = async (input: Record<string, unknown>) => errorOf(await h.call(recorded.screen, 'enrollment.recordFaceException',
      { reason: 'medical', note: NOTE, photo, ...input }));
    expect((await refused({ photo: null })).details.issues).toEqual([expect.objectContaining({ path: ['photo'] })]);
    expect((await refused({ note: 'ok' })).details.issues).toEqual([expect.objectContaining({ path: ['note'] })]);
    expect((await refused({ note: 'two\nlines' })).code).toBe('RPC_INVALID_INPUT');
    expect((await refused({ reason: 'shy' })).code).toBe('RPC_INVALID_INPUT');
    expect((await refused({ photo: Buffer.from('no picture here, only words').toString('base64') })).code).toBe('EXCEPTION_PHOTO_UNREADABLE');
    expect(auditRowsAfter(h.kiosk, before)).toEqual([]);
    expect(await current(recorded.screen)).toMatchObject({ step: 'face', faceException: null });

    const after = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.recordFaceException', { reason: 'medical', note: ` ${NOTE} `, photo }));
    expect(after).toMatchObject({
      state: 'fingerprints', step: 'fingerprints', face: null,
      faceException: { reason: 'medical', note: NOTE, by: ref('officer'), at: NOW.toISOString(), photo: true },
      secondApproval: ['face-exception'],
    });
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'fingerprints' });
    expect(outputOf(await h.call(recorded.screen, 'enrollment.media'))).toMatchObject({ faceExceptionPhoto: `data:image/jpeg;base64,${photo}` });
    expect(audited(auditRowsAfter(h.kiosk, before))).toEqual([
      [`operator:${h.operator('officer').id}`, 'enrollment.face-exception', { enrollmentId: recorded.enrollment.id, reason: 'medical' }],
    ]);
    // Past the face step there is nothing left to except.
    expect(errorOf(await h.call(recorded.screen, 'enrollment.recordFaceException', { reason: 'medical', note: NOTE, photo })).code)
      .toBe('ENROLLMENT_WRONG_STEP');

    // Neither the note nor the photo reaches the store's files.
    h.kiosk.db.pragma('wal_checkpoint(TRUNCATE)');
    const stored = Buffer.concat(fs.readdirSync(h.dataDir).filter((name) => name.startsWith('gatehouse.sqlite'))
      .map((name) => fs.readFileSync(path.join(h.dataDir, name))));
    expect(stored.includes(Buffer.from(NOTE))).toBe(false);
    expect(stored.includes(Buffer.from(photo, 'base64').subarray(0, 200))).toBe(false);
  });

  it('may go without a photo only when there is no camera', async () => {
    const recorded = await started('supervisor', 'company');
    await acceptPassport(recorded);
    const noCamera = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.recordFaceException', {
      reason: 'no-camera', note: 'camera does not start', photo: null,
    }));
    expect(noCamera).toMatchObject({ step: 'details', faceException: { reason: 'no-camera', photo: false, by: ref('supervisor') } });
    expect(outputOf(await h.call(recorded.screen, 'enrollment.media'))).toMatchObject({ faceExceptionPhoto: null });
  });
});

describe("an officer called to a business owner's screen", () => {
  const credential = (key: FixtureKey, pin = h.operator(key).pin) => ({ credential: { method: 'pin', name: h.operator(key).name, pin } });

  /** A business owner alone with a company enrollment on the face step. */
  async function ownerAtFace(): Promise<RecordedScreen & { enrollment: EnrollmentView }> {
    const owner = await started('anonymous', 'company');
    await acceptPassport(owner);
    expect(await current(owner.screen)).toMatchObject({ step: 'face', assistedBy: null });
    return owner;
  }

  it('lets the officer do the face step\'s officer actions on the anonymous screen, audited, until the face step ends', async () => {
    const owner = await ownerAtFace();
    const { id } = owner.enrollment;
    const officer = h.operator('officer');
    const photo = exceptionPhoto(50);
    const exception = { reason: 'cannot-face-camera', note: 'Cannot hold the head up', photo };
    const forbidden = async () => {
      expect(errorOf(await h.call(owner.screen, 'enrollment.recordFaceException', exception)).code).toBe('RPC_FORBIDDEN');
      expect(errorOf(await h.call(owner.screen, 'face.capture', { manual: true })).code).toBe('RPC_FORBIDDEN');
      expect(errorOf(await h.call(owner.screen, 'face.decide', { samePerson: true })).code).toBe('RPC_FORBIDDEN');
    };
    await forbidden();
    const before = auditHeadSeq(h.kiosk);

    const assisted = outputOf<EnrollmentView>(await h.call(owner.screen, 'enrollment.callOfficer', credential('officer')));
    expect(assisted).toMatchObject({ id, step: 'face', ranBy: null, assistedBy: ref('officer') });
    expect(changes(owner).at(-1)).toMatchObject({ assistedBy: ref('officer') });
    // The officer helps here without logging the screen in.
    expect(owner.screen).toMatchObject({ officerPresent: true, role: null, operator: null });
    expect(outputOf(await h.call(owner.screen, 'auth.whoami'))).toBeNull();
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('supervisor'))).code).toBe('ENROLLMENT_OFFICER_ALREADY_HERE');
    // The officer-only face procedures now get past their rule into the face step's handlers: there is no result
    // to decide yet, and the capture goes to the face engine (whose worker does not run from the sources under test).
    expect(errorOf(await h.call(owner.screen, 'face.decide', { samePerson: true })).code).toBe('FACE_NOTHING_TO_DECIDE');
    expect(errorOf(await h.call(owner.screen, 'face.capture', { manual: true })).code).toMatch(/^FACE_/);

    // Done for now: officer actions are no longer possible; called again, the officer records the exception.
    expect(outputOf(await h.call(owner.screen, 'enrollment.endAssist'))).toMatchObject({ assistedBy: null });
    expect(owner.screen.officerPresent).toBe(false);
    await forbidden();
    outputOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('officer')));
    const excepted = outputOf<EnrollmentView>(await h.call(owner.screen, 'enrollment.recordFaceException', exception));
    expect(excepted).toMatchObject({
      step: 'details', assistedBy: null, faceException: { reason: 'cannot-face-camera', by: ref('officer'), photo: true },
    });
    // The assist ends with the face step.
    expect(owner.screen).toMatchObject({ officerPresent: false, actor: 'anonymous' });
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('officer'))).code).toBe('ENROLLMENT_WRONG_STEP');

    const officerActor = `operator:${officer.id}`;
    expect(audited(auditRowsAfter(h.kiosk, before))).toEqual([
      // The help begins only once its entry is committed, so the entry's actor is the screen before the officer came;
      // who came is in the details.
      ['anonymous', 'enrollment.officer-called', { enrollmentId: id, operatorId: officer.id, outcome: 'ok' }],
      // Who left is in the details (the entry's actor is the screen as it is after the officer left).
      [expect.any(String), 'enrollment.officer-left', { enrollmentId: id, operatorId: officer.id }],
      ['anonymous', 'enrollment.officer-called', { enrollmentId: id, operatorId: officer.id, outcome: 'ok' }],
      [officerActor, 'enrollment.face-exception', { enrollmentId: id, reason: 'cannot-face-camera' }],
    ]);
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
  });

  it('refuses a wrong PIN, counting it towards the officer\'s lockout, and anyone who is not an officer', async () => {
    const owner = await ownerAtFace();
    const { id } = owner.enrollment;
    const target = h.operator('target');
    const before = auditHeadSeq(h.kiosk);
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('target', '000000'))).code).toBe('AUTH_FAILED');
      expect(failedAttempts('target')).toBe(attempt);
    }
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('target', '000000'))).code).toBe('AUTH_LOCKED');
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('target'))).code).toBe('AUTH_LOCKED');
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', credential('technician'))).code).toBe('ENROLLMENT_APPROVER_NOT_OFFICER');
    // Nobody is logged in here, so the name cannot be left out.
    expect(errorOf(await h.call(owner.screen, 'enrollment.callOfficer', { credential: { method: 'pin', pin: target.pin } })).code)
      .toBe('CREDENTIAL_NAME_MISSING');
    expect(owner.screen.officerPresent).toBe(false);
    expect(await current(owner.screen)).toMatchObject({ step: 'face', assistedBy: null });
    expect(errorOf(await h.call(owner.screen, 'enrollment.recordFaceException', {
      reason: 'injured', note: 'Bandaged face', photo: exceptionPhoto(),
    })).code).toBe('RPC_FORBIDDEN');

    expect(audited(auditRowsAfter(h.kiosk, before))).toEqual([
      ...Array.from({ length: 5 }, () => ['anonymous', 'enrollment.officer-called', { enrollmentId: id, operatorId: target.id, outcome: 'failed' }]),
      ['anonymous', 'enrollment.officer-called', { enrollmentId: id, operatorId: target.id, outcome: 'locked' }],
      ['anonymous', 'enrollment.officer-called', { enrollmentId: id, operatorId: h.operator('technician').id, outcome: 'not-an-officer' }],
    ]);
  });

  it('is not needed where an officer is logged in', async () => {
    const recorded = await started('officer', 'company');
    await acceptPassport(recorded);
    expect(errorOf(await h.call(recorded.screen, 'enrollment.callOfficer', credential('supervisor'))).code).toBe('ENROLLMENT_OFFICER_ALREADY_HERE');
  });
});

describe('the end of an enrollment', () => {
  it('cancel marks the row cancelled, audits it and forgets the enrollment', async () => {
    const recorded = await started('officer');
    reader.emit('reading', passportReading());
    const before = auditHeadSeq(h.kiosk);
    expect(outputOf(await h.call(recorded.screen, 'enrollment.cancel'))).toEqual({});
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'cancelled' });
    expect(auditRowsAfter(h.kiosk, before).map((row) => [row.action, JSON.parse(row.details)])).toEqual([
      ['enrollment.cancel', { enrollmentId: recorded.enrollment.id }],
    ]);
    expect(await current(recorded.screen)).toBeNull();
    expect(errorOf(await h.call(recorded.screen, 'enrollment.cancel')).code).toBe('ENROLLMENT_NONE');
    // No abandonment is recorded later for a cancelled enrollment.
    outputOf(await h.call(recorded.screen, 'auth.logout'));
    expect(auditRowsAfter(h.kiosk, before).map((row) => row.action)).toEqual(['enrollment.cancel', 'auth.logout']);
  });

  it('logout abandons it with an audit entry and drops its data', async () => {
    const recorded = await started('officer');
    reader.emit('reading', passportReading());
    const before = auditHeadSeq(h.kiosk);
    outputOf(await h.call(recorded.screen, 'auth.logout'));
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'abandoned' });
    const rows = auditRowsAfter(h.kiosk, before);
    expect(rows.map((row) => [row.action, JSON.parse(row.details)])).toEqual([
      ['auth.logout', { operatorId: h.operator('officer').id }],
      ['enrollment.abandoned', { enrollmentId: recorded.enrollment.id, reason: 'session-ended' }],
    ]);
    expect(rows[1]?.actor).toBe(`operator:${h.operator('officer').id}`);
    expect(await current(recorded.screen)).toBeNull();
    const seen = changes(recorded).length;
    reader.emit('reading', passportReading());
    expect(changes(recorded)).toHaveLength(seen);
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
  });

  it('the idle timeout abandons it with an audit entry and drops its data', async () => {
    vi.useFakeTimers();
    const recorded = await started('officer');
    reader.emit('reading', passportReading());
    const before = auditHeadSeq(h.kiosk);
    vi.advanceTimersByTime(120_000);
    expect(recorded.events.some((e) => e.name === 'session.ended')).toBe(true);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'abandoned' });
    const officer = `operator:${h.operator('officer').id}`;
    expect(auditRowsAfter(h.kiosk, before).map((row) => [row.actor, row.action, JSON.parse(row.details)])).toEqual([
      [officer, 'auth.idle-logout', { operatorId: h.operator('officer').id }],
      [officer, 'enrollment.abandoned', { enrollmentId: recorded.enrollment.id, reason: 'session-ended' }],
    ]);
    expect(await current(recorded.screen)).toBeNull();
  });

  it('an anonymous company enrollment left alone is abandoned when the screen times out', async () => {
    vi.useFakeTimers();
    const recorded = await started('anonymous', 'company');
    outputOf(await h.call(recorded.screen, 'session.touch', { away: true }));
    vi.advanceTimersByTime(120_000);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'abandoned' });
    expect(auditRowsAfter(h.kiosk, 0).at(-1)).toMatchObject({ actor: 'anonymous', action: 'enrollment.abandoned' });
    expect(await current(recorded.screen)).toBeNull();
  });

  it('a screen that goes away abandons its enrollment', async () => {
    const recorded = await started('officer');
    h.kiosk.closeScreen(recorded.screen);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'abandoned' });
    expect(auditRowsAfter(h.kiosk, 0).at(-1)).toMatchObject({ actor: `operator:${h.operator('officer').id}`, action: 'enrollment.abandoned' });
  });
});

describe('a kiosk that stops with enrollments on a step', () => {
  /** Enrollments in every kind of state: two on a step, one cancelled, one held for a supervisor. */
  async function enrollmentsLeft() {
    const atDocument = await started('officer');
    const atFace = await started('anonymous', 'company');
    await acceptPassport(atFace);
    const cancelled = await started('supervisor');
    outputOf(await h.call(cancelled.screen, 'enrollment.cancel'));
    const held = insertHeldEnrollment(h.kiosk.db, { by: h.operator('officer').id, at: NOW });
    return { onStep: [atDocument.enrollment.id, atFace.enrollment.id], cancelled: cancelled.enrollment.id, held };
  }
  const statesIn = (db: KioskHarness['kiosk']['db'], ids: string[]) =>
    ids.map((id) => (db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: string }).state);

  it('abandons them itself when it shuts down, so a restart on the same data directory finds nothing to abandon', async () => {
    const left = await enrollmentsLeft();
    await stopRig();
    await h.kiosk.close();
    const restarted = openKiosk({ dataDir: h.dataDir, host: 'browser', log: silentLog, now: () => NOW });
    try {
      expect(statesIn(restarted.db, [...left.onStep, left.cancelled, left.held])).toEqual(['abandoned', 'abandoned', 'cancelled', 'awaiting-review']);
      const abandoned = restarted.db.prepare("SELECT actor, details FROM audit WHERE action = 'enrollment.abandoned' ORDER BY seq").all() as
        Array<{ actor: string; details: string }>;
      expect(abandoned.map((row) => [row.actor, JSON.parse(row.details)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
        ['anonymous', { enrollmentId: left.onStep[1], reason: 'session-ended' }],
        [`operator:${h.operator('officer').id}`, { enrollmentId: left.onStep[0], reason: 'session-ended' }],
      ]);
      expect(outputOf(await restarted.dispatcher.call(restarted.openScreen(() => undefined), 'system.status', {})))
        .toMatchObject({ heldEnrollments: 1, enrollmentBlocked: null });
      expect(verifyAudit(restarted.db)).toMatchObject({ ok: true });
    } finally {
      restarted.close();
    }
  });

  it('abandons them at the next start after a crash, audited as kiosk-restarted, and leaves held and ended ones alone', async () => {
    const left = await enrollmentsLeft();
    // The data directory as a power cut leaves it: database (with its write-ahead log) and keys, copied while the kiosk runs.
    const crashed = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-crashed-'));
    try {
      for (const name of ['gatehouse.sqlite', 'gatehouse.sqlite-wal', 'keys']) {
        if (fs.existsSync(path.join(h.dataDir, name))) fs.cpSync(path.join(h.dataDir, name), path.join(crashed, name), { recursive: true });
      }
      expect(statesIn(h.kiosk.db, left.onStep)).toEqual(['document', 'face']);
      const restarted = openKiosk({ dataDir: crashed, host: 'browser', log: silentLog, now: () => NOW });
      try {
        expect(statesIn(restarted.db, [...left.onStep, left.cancelled, left.held])).toEqual(['abandoned', 'abandoned', 'cancelled', 'awaiting-review']);
        const recovered = restarted.db.prepare("SELECT actor, action, details FROM audit WHERE details LIKE '%kiosk-restarted%' ORDER BY seq").all() as
          Array<{ actor: string; action: string; details: string }>;
        expect(recovered.map((row) => [row.actor, row.action, JSON.parse(row.details)])).toEqual(expect.arrayContaining(left.onStep.map((id) =>
          ['system', 'enrollment.abandoned', { enrollmentId: id, reason: 'kiosk-restarted' }])));
        expect(recovered).toHaveLength(2);
        expect(verifyAudit(restarted.db)).toMatchObject({ ok: true });
        // The restarted kiosk takes new enrollments as usual.
        const screen = restarted.openScreen(() => undefined);
        expect(outputOf(await restarted.dispatcher.call(screen, 'enrollment.start', { flow: 'company' }))).toMatchObject({ state: 'document' });
      } finally {
        restarted.close();
      }
      // A second restart finds nothing more to abandon.
      const again = openKiosk({ dataDir: crashed, host: 'browser', log: silentLog, now: () => NOW });
      try {
        expect((again.db.prepare("SELECT count(*) AS n FROM audit WHERE details LIKE '%kiosk-restarted%'").get() as { n: number }).n).toBe(2);
      } finally {
        again.close();
      }
    } finally {
      fs.rmSync(crashed, { recursive: true, force: true });
    }
  });
});

describe('document.keyboardKeys', () => {
  /** Both lines of the passport typed key by key, each ended by Enter, `gapMs` apart. */
  const typed = (gapMs: number, from = 1_000) => PASSPORT_LINES.flatMap((line) => [...line, 'Enter'])
    .map((key, i) => ({ key, at: from + i * gapMs }));

  it('takes a reader\'s fast burst as a read on that screen only', async () => {
    const typing = await started('officer');
    const other = await started('supervisor');
    const seenByOther = changes(other).length;
    expect(outputOf(await h.call(typing.screen, 'document.keyboardKeys', { keys: typed(20) }))).toEqual({});

    const pending = (await current(typing.screen))?.pendingRead;
    expect(pending).toMatchObject({ source: 'keyboard', documentType: 'TD3', valid: true, expired: false });
    expect(pending?.fields.find((f) => f.name === 'documentNumber')?.value).toBe(DOCUMENT_NUMBER);
    expect(changes(typing).at(-1)?.pendingRead).toEqual(pending);
    expect(changes(other)).toHaveLength(seenByOther);
    expect((await current(other.screen))?.pendingRead).toBeNull();

    // The read is the screen's to accept like any other.
    outputOf(await h.call(typing.screen, 'enrollment.acceptDocument', { readId: pending!.readId }));
    expect(await current(typing.screen)).toMatchObject({ step: 'face' });
  });

  it('takes a burst split over several calls the same way', async () => {
    const typing = await started('officer');
    const keys = typed(15);
    for (let i = 0; i < keys.length; i += 7) outputOf(await h.call(typing.screen, 'document.keyboardKeys', { keys: keys.slice(i, i + 7) }));
    expect((await current(typing.screen))?.pendingRead).toMatchObject({ source: 'keyboard', valid: true });
  });

  it('ignores the same keys typed at a person\'s speed', async () => {
    const typing = await started('officer');
    const seen = changes(typing).length;
    expect(outputOf(await h.call(typing.screen, 'document.keyboardKeys', { keys: typed(150) }))).toEqual({});
    expect((await current(typing.screen))?.pendingRead).toBeNull();
    expect((await current(typing.screen))?.readFailure).toBeNull();
    expect(changes(typing)).toHaveLength(seen);
  });

  it('ignores keys once the document step is over, and refuses them without an enrollment', async () => {
    const typing = await started('officer');
    await acceptPassport(typing);
    const seen = changes(typing).length;
    expect(outputOf(await h.call(typing.screen, 'document.keyboardKeys', { keys: typed(20) }))).toEqual({});
    expect(await current(typing.screen)).toMatchObject({ step: 'face', pendingRead: null });
    expect(changes(typing)).toHaveLength(seen);
    const none = h.openScreen();
    expect(errorOf(await h.call(none.screen, 'document.keyboardKeys', { keys: typed(20) })).code).toBe('ENROLLMENT_NONE');
  });
});
