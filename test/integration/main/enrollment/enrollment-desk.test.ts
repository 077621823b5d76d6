// The enrollment desk through a real kiosk (real SQLite store, real dispatcher): who may
// start which flow, what reaches the store and the audit log (never document data), how
// reads reach the screens on the document step, how an enrollment ends, and the
// keyboard-wedge path that tells a reader's burst from a person typing.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { startDeviceRig, type DeviceRig } from '../../../../main/devices/device-rig.js';
import type { DocumentReaderService } from '../../../../main/devices/document-reader-service.js';
import { captureFromMrz, type DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import type { EnrollmentView } from '../../../../main/enrollment/enrollment-session.js';
import { setSetting } from '../../../../main/store/settings.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type FixtureKey, type KioskHarness, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';
import { NOW, PASSPORT } from '../../../unit/main/enrollment/sample-documents.js';

const DOCUMENT_NUMBER = PASSPORT.documentNumber;
const PASSPORT_LINES = formatMrz(PASSPORT, 'TD3');

let h: KioskHarness;
let rig: DeviceRig;
let reader: DocumentReaderService;

beforeEach(async () => {
  h = await openKioskHarness({ now: () => NOW });
  // The kiosk's own device rig, with a configured reader that is not plugged in: the test
  // plays the reader by emitting what its service would.
  setSetting(h.kiosk.db, 'devices', { documentReader: { kind: 'mrz', path: path.join(h.dataDir, 'no-reader'), framing: { framing: 'lines' } } });
  rig = await startDeviceRig({ dataDir: h.dataDir, db: h.kiosk.db, now: () => NOW });
  h.kiosk.attachDevices(rig);
  reader = rig.documentReader;
});

afterEach(async () => {
  vi.useRealTimers();
  await rig.stop();
  h.close();
});

const passportCapture = (): DocumentCapture => captureFromMrz(parseMrz(PASSPORT_LINES, { now: NOW }), 'mrz', NOW);

type Who = FixtureKey | 'anonymous';
const screenOf = async (who: Who): Promise<RecordedScreen> => (who === 'anonymous' ? h.openScreen() : h.loggedIn(who));

async function started(who: Who, flow: 'person' | 'company' = 'person'): Promise<RecordedScreen & { enrollment: EnrollmentView }> {
  const recorded = await screenOf(who);
  const enrollment = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.start', { flow }));
  return { ...recorded, enrollment };
}

const current = async (screen: ScreenSession) => outputOf<EnrollmentView | null>(await h.call(screen, 'enrollment.current'));
const changes = ({ events }: RecordedScreen) => events.filter((e) => e.name === 'enrollment.changed').map((e) => e.payload as EnrollmentView);
const enrollmentRows = () => h.kiosk.db.prepare('SELECT * FROM enrollments ORDER BY created_at, id').all() as Array<Record<string, unknown>>;
const enrollmentRow = (id: string) => h.kiosk.db.prepare('SELECT * FROM enrollments WHERE id = ?').get(id) as Record<string, unknown> | undefined;

async function acceptPassport(recorded: RecordedScreen): Promise<DocumentCapture> {
  const capture = passportCapture();
  reader.emit('capture', capture);
  outputOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: capture.view.readId }));
  return capture;
}

describe('enrollment.start', () => {
  it.each<Who>(['anonymous', 'technician'])('refuses the person flow to %s and records nothing', async (who) => {
    const recorded = await screenOf(who);
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(recorded.screen, 'enrollment.start', { flow: 'person' })).code).toBe('RPC_FORBIDDEN');
    expect(enrollmentRows()).toEqual([]);
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(await current(recorded.screen)).toBeNull();
  });

  it.each<FixtureKey>(['officer', 'supervisor'])('starts the person flow for a logged-in %s', async (who) => {
    const { enrollment } = await started(who);
    expect(enrollment).toMatchObject({ flow: 'person', step: 'document', steps: ['document', 'face', 'fingerprints', 'details', 'review'] });
  });

  it.each<Who>(['anonymous', 'officer', 'supervisor', 'technician'])('starts the company flow for %s', async (who) => {
    const { screen, enrollment } = await started(who, 'company');
    expect(enrollment).toMatchObject({ flow: 'company', step: 'document', steps: ['document', 'face', 'details', 'review'] });
    expect(await current(screen)).toEqual(enrollment);
  });

  it('writes an enrollments row with nothing but id, flow, state and operator, and an audit entry', async () => {
    const before = auditHeadSeq(h.kiosk);
    const { enrollment } = await started('officer');
    const officerId = h.operator('officer').id;
    expect(enrollmentRows()).toEqual([{
      id: enrollment.id, flow: 'person', state: 'document', operator_id: officerId,
      created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
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

describe('document reads', () => {
  it('reach only the screens on the document step, each with an enrollment.changed event', async () => {
    const waiting = await started('officer');
    const alsoWaiting = await started('anonymous', 'company');
    const pastDocument = await started('supervisor');
    await acceptPassport(pastDocument);
    const idle = h.openScreen();
    const seen = (r: RecordedScreen) => changes(r).length;
    const counts = [waiting, alsoWaiting, pastDocument, idle].map(seen);

    const capture = passportCapture();
    reader.emit('capture', capture);

    expect([waiting, alsoWaiting, pastDocument, idle].map(seen)).toEqual([counts[0]! + 1, counts[1]! + 1, counts[2], counts[3]]);
    for (const r of [waiting, alsoWaiting]) {
      expect(changes(r).at(-1)).toMatchObject({ id: r.enrollment.id, step: 'document', pendingRead: capture.view });
      expect((await current(r.screen))?.pendingRead).toEqual(capture.view);
    }
    expect((await current(pastDocument.screen))).toMatchObject({ step: 'face', pendingRead: null });
    expect(await current(idle.screen)).toBeNull();
  });

  it('reach the document step with read failures too', async () => {
    const waiting = await started('officer');
    const failure = { at: NOW.toISOString(), code: 'MRZ_FRAME_CUT', message: 'The read was cut off; read the document again.' };
    reader.emit('failure', failure);
    expect(changes(waiting).at(-1)).toMatchObject({ readFailure: failure, pendingRead: null });
  });

  it('are accepted with an audit entry that carries no document data, and move the enrollment on', async () => {
    const recorded = await started('officer');
    const before = auditHeadSeq(h.kiosk);
    const capture = passportCapture();
    reader.emit('capture', capture);
    const after = outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: capture.view.readId }));
    expect(after).toMatchObject({ step: 'face', pendingRead: null, document: capture.view });
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'face' });

    const rows = auditRowsAfter(h.kiosk, before);
    expect(rows.map((row) => [row.actor, row.action, JSON.parse(row.details)])).toEqual([
      [`operator:${h.operator('officer').id}`, 'enrollment.document-accepted', { enrollmentId: recorded.enrollment.id, correctionApplied: false }],
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
    const capture = captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW);
    reader.emit('capture', capture);
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: capture.view.readId })).code)
      .toBe('ENROLLMENT_DOCUMENT_INVALID');
    expect(errorOf(await h.call(recorded.screen, 'enrollment.acceptDocument', { readId: 'stale' })).code).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(enrollmentRow(recorded.enrollment.id)).toMatchObject({ state: 'document' });
  });

  it('are dropped by retryDocument', async () => {
    const recorded = await started('officer');
    reader.emit('capture', passportCapture());
    expect(outputOf<EnrollmentView>(await h.call(recorded.screen, 'enrollment.retryDocument'))).toMatchObject({ pendingRead: null });
  });
});

describe('the end of an enrollment', () => {
  it('cancel marks the row cancelled, audits it and forgets the enrollment', async () => {
    const recorded = await started('officer');
    reader.emit('capture', passportCapture());
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
    reader.emit('capture', passportCapture());
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
    reader.emit('capture', passportCapture());
    expect(changes(recorded)).toHaveLength(seen);
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
  });

  it('the idle timeout abandons it with an audit entry and drops its data', async () => {
    vi.useFakeTimers();
    const recorded = await started('officer');
    reader.emit('capture', passportCapture());
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
