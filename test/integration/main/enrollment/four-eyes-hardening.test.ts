// The four-eyes rules held against what a security review tried, through the RPC of a real kiosk
// on simulated devices. Whoever decided a face in the review band, or took a face by hand without
// the liveness challenge, took part and cannot be the second approver (company flow with an officer
// called to the owner's screen; held for review too); another operator logging in on a screen
// ends its enrollment; concurrent PIN guesses cannot outrun the lockout; what is approved is what
// the approver saw; a held enrollment's sealed copy is bound to its own row and state; one bad row
// does not take the queue down, nor does a restart keep a copy that is no longer held; a photo that
// declares too many pixels is refused before it is decoded; two officers called at once leave one
// helping; help that could not be audited is not granted; an unticked consent audits no free text.
// The face worker does not run from the sources under vitest: a fake worker client stands in.

import jpeg from 'jpeg-js';
import type { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSealedRecord } from '../../../../protocol/sealed-record.js';
import { createOperator } from '../../../../main/auth/operator-repository.js';
import { hashPin } from '../../../../main/auth/pin-hash.js';
import { FaceService } from '../../../../main/face/face-service.js';
import type { FaceWorkerClient } from '../../../../main/face/face-worker-client.js';
import { openKiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import type { Enrollment } from '../../../../main/rpc/contract.js';
import type { SealedEnrollment } from '../../../../main/rpc/procedures/enrollment.js';
import type { FaceResult } from '../../../../main/rpc/procedures/face.js';
import type { HeldEnrollment, ReviewQueue } from '../../../../main/rpc/procedures/review-queue.js';
import { readEnvelope } from '../../../../main/store/outbox.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { enrollmentOnReview, MRZ_LINES, PERSON_DETAILS } from '../../../fixtures/enrollment-on-review.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { insertHeldEnrollment } from '../../../fixtures/held-enrollments.js';
import {
  auditHeadSeq, auditRowsAfter, CHEAP_SCRYPT, errorOf, outputOf, type FixtureKey, type FixtureOperator, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';

type EnrollmentView = z.infer<typeof Enrollment>;
type Face = z.infer<typeof FaceResult>;

const COMPANY_DETAILS = {
  flow: 'company', companyName: 'Acme Trading GmbH', registrationNumber: 'HRB 1234', legalForm: 'limited-company',
  registeredAddress: 'Hauptstrasse 1, 10115 Berlin', role: 'owner',
};
const CONSENT = { accepted: true, version: '2026-01', language: 'en' };
const LIVENESS_EXCEPTION = { reason: 'cannot-follow', note: 'Cannot turn the head', photo: exceptionPhoto(120) };

let kiosk: SimulatedKiosk;
/** A supervisor who takes part in none of these enrollments: the second pair of eyes the rules allow. */
let secondSupervisor: FixtureOperator;

beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
  const pin = '602817';
  const row = createOperator(kiosk.h.kiosk.db, { name: 'Selma Second', role: 'supervisor', pinHash: await hashPin(pin, CHEAP_SCRYPT) }, new Date());
  secondSupervisor = { id: row.id, name: row.name, pin, role: 'supervisor' };
});
afterAll(async () => {
  await kiosk?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const view = async (recorded: RecordedScreen, method: string, input: unknown = {}) => outputOf<EnrollmentView>(await call(recorded, method, input));
const db = () => kiosk.h.kiosk.db;
const pinOf = (key: FixtureKey) => ({ credential: { method: 'pin', name: kiosk.h.operator(key).name, pin: kiosk.h.operator(key).pin } });
const secondSupervisorPin = () => ({ credential: { method: 'pin', name: secondSupervisor.name, pin: secondSupervisor.pin } });
const ref = ({ id, name, role }: Pick<FixtureOperator, 'id' | 'name' | 'role'>) => ({ id, name, role });
const refOf = (key: FixtureKey) => ref(kiosk.h.operator(key));
const stateOf = (id: string) => (db().prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: string } | undefined)?.state;
const outboxOf = (id: string) => db().prepare('SELECT record_id FROM outbox WHERE enrollment_id = ?').all(id);
const heldEnvelope = (id: string) =>
  (db().prepare('SELECT envelope FROM held_enrollments WHERE enrollment_id = ?').get(id) as { envelope: Buffer } | undefined)?.envelope;
const audited = (after: number, action: string) =>
  auditRowsAfter(kiosk.h.kiosk, after).filter((row) => row.action === action).map((row) => JSON.parse(row.details) as Record<string, unknown>);

function openRecord(recordId: string) {
  return openSealedRecord(readEnvelope(db(), recordId), {
    authoritySealingPrivateKey: kiosk.h.authorityKeys!.sealing.privateKey,
    kioskSigningPublicKey: kiosk.h.kiosk.provisioning.require().keys.signing.publicKey,
  }).json as Record<string, unknown>;
}

/**
 * A stand-in for the face worker: every frame shows one good face whose head pose and eyes go
 * through the blink and the turn of the liveness challenge, and verification answers `decision`.
 */
function fakeFaceWorker(decision: 'match' | 'review'): void {
  // [yaw, eye aspect ratio]: eyes open, a blink, open; a turn each way; then frontal.
  const script = [[0, 0.3], [0, 0.3], [0, 0.3], [0, 0.1], [0, 0.3], [25, 0.3], [-25, 0.3], [0, 0.3], [0, 0.3]] as const;
  let frame = 0;
  const client = {
    preparePortrait: async () => {
      frame = 0;
      return { state: 'one-face', descriptor: new Float32Array(128), faces: [] };
    },
    analyzeFrame: async () => {
      const [yaw, eyeAspectRatio] = script[Math.min(frame++, script.length - 1)]!;
      return {
        status: 'analyzed',
        analysis: {
          state: 'one-face', width: 640, height: 480,
          faces: [{ box: { x: 100, y: 100, width: 200, height: 200 }, score: 0.99 }],
          quality: { ok: true, score: 0.9, measures: { yaw, eyeAspectRatio } },
          guidance: [],
        },
      };
    },
    verify: async () => ({
      decision, distance: decision === 'match' ? 0.3 : 0.5, distances: [0.5], aggregate: 'mean', thresholds: { match: 0.4, review: 0.6 },
      live: [], portrait: {}, liveFramesUsed: [0], modelHash: 'fake-model', backend: 'fake',
    }),
  };
  vi.spyOn(FaceService.prototype, 'client').mockResolvedValue(client as unknown as FaceWorkerClient);
}

const CAMERA_PICTURE = exceptionPhoto(60);

/** Starts `flow` on the screen and accepts the sample passport: the enrollment is on the face step. */
async function atFace(recorded: RecordedScreen, flow: 'person' | 'company'): Promise<string> {
  const { id } = await view(recorded, 'enrollment.start', { flow });
  const now = new Date();
  kiosk.rig.documentReader!.emit('reading', { kind: 'mrz', at: now, result: parseMrz(MRZ_LINES, { now }) });
  const { pendingRead } = await view(recorded, 'enrollment.current');
  expect(await view(recorded, 'enrollment.acceptDocument', { readId: pendingRead!.readId })).toMatchObject({ step: 'face' });
  return id;
}

/** The document photo, then live frames through the whole challenge, then the automatic capture. */
async function faceThroughChallenge(recorded: RecordedScreen): Promise<Face> {
  outputOf(await call(recorded, 'face.portrait', { image: CAMERA_PICTURE }));
  let guidance: { readyToCapture: boolean } | null = null;
  for (let i = 0; i < 9; i++) guidance = outputOf(await call(recorded, 'face.frame', { image: CAMERA_PICTURE, at: 1000 + i * 100 }));
  expect(guidance).toMatchObject({ readyToCapture: true });
  return outputOf<Face>(await call(recorded, 'face.capture', { manual: false }));
}

/** From an accepted face on the company flow to the review, consent given. */
async function companyToReview(owner: RecordedScreen): Promise<EnrollmentView> {
  await view(owner, 'enrollment.saveDetails', COMPANY_DETAILS);
  return view(owner, 'enrollment.acceptConsent', CONSENT);
}

/** An enrollment walked to its review by the officer and held for a supervisor; its id. */
async function heldByOfficer(): Promise<string> {
  const recorded = await enrollmentOnReview(kiosk);
  expect(outputOf(await call(recorded, 'enrollment.holdForReview'))).toMatchObject({ enrollmentId: recorded.id });
  kiosk.h.kiosk.closeScreen(recorded.screen);
  return recorded.id;
}

describe('whoever decided or took the face took part', () => {
  it('the supervisor called to decide a face in the review band, who then left, cannot approve the company registration', async () => {
    fakeFaceWorker('review');
    const owner = await kiosk.screen(null);
    const id = await atFace(owner, 'company');
    expect(await faceThroughChallenge(owner)).toMatchObject({ decision: 'review', livenessPassed: true, accepted: false });
    const start = auditHeadSeq(kiosk.h.kiosk);

    // The supervisor is called, decides "same person" and leaves; the owner goes on alone.
    outputOf(await call(owner, 'enrollment.callOfficer', pinOf('supervisor')));
    expect(outputOf(await call(owner, 'face.decide', { samePerson: true }))).toMatchObject({ officerDecision: 'same-person', accepted: true });
    await view(owner, 'enrollment.endAssist');
    expect(owner.screen.officerPresent).toBe(false);
    expect(outputOf(await call(owner, 'face.accept'))).toEqual({ step: 'details' });
    expect(await view(owner, 'enrollment.current')).toMatchObject({ step: 'details', ranBy: null, assistedBy: null });
    expect(await companyToReview(owner)).toMatchObject({ step: 'review', secondApproval: ['face-review-band'] });

    expect(errorOf(await call(owner, 'enrollment.approve', pinOf('supervisor'))))
      .toMatchObject({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED', details: { reasons: ['face-review-band'] } });
    expect(stateOf(id)).toBe('review');
    expect(outboxOf(id)).toEqual([]);
    expect(audited(start, 'enrollment.face-decided')).toEqual([{ enrollmentId: id, operatorId: refOf('supervisor').id, samePerson: true }]);
    expect(audited(start, 'enrollment.approve')).toEqual([
      { enrollmentId: id, operatorId: refOf('supervisor').id, outcome: 'refused', refusal: 'ENROLLMENT_SECOND_APPROVER_REQUIRED' },
    ]);

    // A supervisor who took no part approves it.
    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await call(owner, 'enrollment.approve', secondSupervisorPin()));
    expect(openRecord(sealed.recordId)).toMatchObject({
      ranBy: null,
      face: { decision: 'review', officerDecision: 'same-person', capturedBy: null, decidedBy: refOf('supervisor'), acceptedBy: null },
      approval: { by: ref(secondSupervisor), secondApproval: { required: true, reasons: ['face-review-band'] } },
    });
  });

  it('the supervisor who took the face by hand, without the challenge, cannot approve it after another officer accepted it', async () => {
    fakeFaceWorker('match');
    const owner = await kiosk.screen(null);
    const id = await atFace(owner, 'company');
    outputOf(await call(owner, 'face.portrait', { image: CAMERA_PICTURE }));
    outputOf(await call(owner, 'face.frame', { image: CAMERA_PICTURE, at: 1000 })); // one frame: the challenge is not passed
    const start = auditHeadSeq(kiosk.h.kiosk);

    outputOf(await call(owner, 'enrollment.callOfficer', pinOf('supervisor')));
    expect(outputOf(await call(owner, 'face.capture', { manual: true })))
      .toMatchObject({ capture: 'officer', livenessPassed: false, decision: 'match', accepted: true });
    await view(owner, 'enrollment.endAssist');
    // Another officer, called next, records why the challenge was not passed and accepts the face.
    outputOf(await call(owner, 'enrollment.callOfficer', pinOf('officer')));
    expect(outputOf(await call(owner, 'face.accept', { livenessException: LIVENESS_EXCEPTION }))).toEqual({ step: 'details' });
    expect(await companyToReview(owner)).toMatchObject({ secondApproval: ['liveness-not-passed'] });

    expect(errorOf(await call(owner, 'enrollment.approve', pinOf('supervisor'))).code).toBe('ENROLLMENT_SECOND_APPROVER_REQUIRED');
    expect(errorOf(await call(owner, 'enrollment.approve', pinOf('officer'))).code).toBe('ENROLLMENT_SECOND_APPROVER_REQUIRED');
    expect(outboxOf(id)).toEqual([]);
    expect(audited(start, 'enrollment.face-captured-by-officer')).toEqual([
      { enrollmentId: id, operatorId: refOf('supervisor').id, decision: 'match' },
    ]);
    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await call(owner, 'enrollment.approve', secondSupervisorPin()));
    expect(stateOf(id)).toBe('sealed');
    // The record names who took the face by hand and who accepted it with the exception.
    expect(openRecord(sealed.recordId)).toMatchObject({
      face: { capture: 'officer', livenessPassed: false, capturedBy: refOf('supervisor'), decidedBy: null, acceptedBy: refOf('officer') },
    });
  });

  it('keeps the decider in the held copy: the deciding supervisor cannot approve it from the queue', async () => {
    fakeFaceWorker('review');
    const owner = await kiosk.screen(null);
    const id = await atFace(owner, 'company');
    await faceThroughChallenge(owner);
    outputOf(await call(owner, 'enrollment.callOfficer', pinOf('supervisor')));
    outputOf(await call(owner, 'face.decide', { samePerson: true }));
    await view(owner, 'enrollment.endAssist');
    outputOf(await call(owner, 'face.accept'));
    await companyToReview(owner);
    // No second person at hand: an officer holds it for review with their name and PIN.
    expect(outputOf(await call(owner, 'enrollment.holdForReview', pinOf('officer')))).toMatchObject({ enrollmentId: id });

    const supervisor = await kiosk.screen('supervisor');
    const refused = errorOf(await call(supervisor, 'reviewQueue.approve', { id, credential: { method: 'pin', pin: kiosk.h.operator('supervisor').pin } }));
    expect(refused).toMatchObject({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED', details: { reasons: ['face-review-band'] } });
    expect(stateOf(id)).toBe('awaiting-review');
    expect(heldEnvelope(id)).toBeDefined();

    const other = kiosk.h.openScreen();
    outputOf(await call(other, 'auth.login', { name: secondSupervisor.name, pin: secondSupervisor.pin }));
    outputOf(await call(other, 'reviewQueue.approve', { id, credential: { method: 'pin', pin: secondSupervisor.pin } }));
    expect(stateOf(id)).toBe('sealed');
  });

  it('another operator logging in on the screen ends the enrollment there (person flow); the same one logging in again keeps it', async () => {
    fakeFaceWorker('review');
    const screen = await kiosk.screen('officer');
    const id = await atFace(screen, 'person');
    await faceThroughChallenge(screen);
    const officer = kiosk.h.operator('officer');
    outputOf(await call(screen, 'auth.login', { name: officer.name, pin: officer.pin }));
    expect(await view(screen, 'enrollment.current')).toMatchObject({ id, step: 'face' });
    const start = auditHeadSeq(kiosk.h.kiosk);

    // The supervisor logs in on the officer's screen to decide the review band: the enrollment does not carry over.
    const supervisor = kiosk.h.operator('supervisor');
    outputOf(await call(screen, 'auth.login', { name: supervisor.name, pin: supervisor.pin }));
    expect(outputOf(await call(screen, 'enrollment.current'))).toBeNull();
    expect(errorOf(await call(screen, 'face.decide', { samePerson: true })).code).toBe('FACE_NOT_ON_STEP');
    expect(stateOf(id)).toBe('abandoned');
    expect(audited(start, 'enrollment.abandoned')).toEqual([expect.objectContaining({ enrollmentId: id })]);
    // Nor does it come back when the officer logs in again.
    outputOf(await call(screen, 'auth.login', { name: officer.name, pin: officer.pin }));
    expect(outputOf(await call(screen, 'enrollment.current'))).toBeNull();
  });
});

describe('credentials checked at the screen', () => {
  it('20 wrong PINs and the right one sent at once through callOfficer on an anonymous screen cannot beat the lockout', async () => {
    const owner = await kiosk.screen(null);
    const id = await atFace(owner, 'company');
    const target = kiosk.h.operator('target');
    const start = auditHeadSeq(kiosk.h.kiosk);
    try {
      const guesses = [...Array.from({ length: 20 }, (_, i) => String(100000 + i)), target.pin];
      const results = await Promise.all(guesses.map((pin) =>
        call(owner, 'enrollment.callOfficer', { credential: { method: 'pin', name: target.name, pin } })));
      const codes = results.map((result) => (result.ok ? 'ok' : result.error.code));
      // The checks run one after the other: four failures, the fifth locks, and everything after it (the right PIN too) is refused.
      expect(codes.filter((code) => code === 'AUTH_FAILED')).toHaveLength(4);
      expect(codes.filter((code) => code === 'AUTH_LOCKED')).toHaveLength(17);
      expect(codes.at(-1)).toBe('AUTH_LOCKED');
      expect(owner.screen.officerPresent).toBe(false);
      expect(await view(owner, 'enrollment.current')).toMatchObject({ step: 'face', assistedBy: null });
      expect(db().prepare('SELECT locked_until IS NOT NULL AS locked FROM operators WHERE id = ?').get(target.id)).toEqual({ locked: 1 });
      const outcomes = audited(start, 'enrollment.officer-called').map((entry) => entry.outcome);
      expect(outcomes).toEqual([...Array(5).fill('failed'), ...Array(16).fill('locked')]);
    } finally {
      const supervisor = await kiosk.screen('supervisor');
      outputOf(await call(supervisor, 'operators.unlock', { id: target.id }));
      outputOf(await call(owner, 'enrollment.cancel'));
      expect(stateOf(id)).toBe('cancelled');
    }
  });

  it('two officers called at once: one helps, the other is told an officer is already here', async () => {
    const owner = await kiosk.screen(null);
    const id = await atFace(owner, 'company');
    const start = auditHeadSeq(kiosk.h.kiosk);
    const results = await Promise.all([
      call(owner, 'enrollment.callOfficer', pinOf('officer')),
      call(owner, 'enrollment.callOfficer', pinOf('supervisor')),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => errorOf(result).code)).toEqual(['ENROLLMENT_OFFICER_ALREADY_HERE']);
    const helping = owner.screen.assistant!;
    expect(await view(owner, 'enrollment.current')).toMatchObject({ assistedBy: { id: helping.id } });
    expect(audited(start, 'enrollment.officer-called')).toEqual([{ enrollmentId: id, operatorId: helping.id, outcome: 'ok' }]);
    outputOf(await call(owner, 'enrollment.cancel'));
  });

  it('an officer whose arrival could not be audited does not help', async () => {
    const owner = await kiosk.screen(null);
    await atFace(owner, 'company');
    // Stands in for a write that fails at commit (disk full, I/O error).
    db().exec(`CREATE TEMP TRIGGER officer_called_fails BEFORE INSERT ON main.audit
      WHEN NEW.action = 'enrollment.officer-called' AND NEW.details LIKE '%"ok"%' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`);
    try {
      expect(errorOf(await call(owner, 'enrollment.callOfficer', pinOf('officer'))).code).toBe('RPC_INTERNAL');
    } finally {
      db().exec('DROP TRIGGER officer_called_fails');
    }
    expect(owner.screen.officerPresent).toBe(false);
    expect(await view(owner, 'enrollment.current')).toMatchObject({ assistedBy: null });
    expect(errorOf(await call(owner, 'face.decide', { samePerson: true })).code).toBe('RPC_FORBIDDEN');
    outputOf(await call(owner, 'enrollment.cancel'));
  });
});

describe('what is approved is what the approver saw', () => {
  it('refuses with ENROLLMENT_CHANGED, sealing nothing, when the details are edited while the approver\'s PIN is checked', async () => {
    const recorded = await enrollmentOnReview(kiosk);
    const start = auditHeadSeq(kiosk.h.kiosk);
    const changed = { ...PERSON_DETAILS, address: 'Some other address 99\n000 00 Nowhere' };
    // The supervisor types name and PIN; while it is checked, the officer's screen reopens the details, changes and accepts again.
    const approval = call(recorded, 'enrollment.approve', pinOf('supervisor'));
    const edits = [
      call(recorded, 'enrollment.editDetails'),
      call(recorded, 'enrollment.saveDetails', changed),
      call(recorded, 'enrollment.acceptConsent', CONSENT),
    ];
    expect((await Promise.all(edits)).map((result) => result.ok)).toEqual([true, true, true]);
    expect(errorOf(await approval).code).toBe('ENROLLMENT_CHANGED');
    expect(stateOf(recorded.id)).toBe('review');
    expect(outboxOf(recorded.id)).toEqual([]);
    expect(audited(start, 'enrollment.approve')).toEqual([]);
    expect(audited(start, 'record.sealed')).toEqual([]);

    // Looked at again, it is approved as it is now.
    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await call(recorded, 'enrollment.approve', pinOf('supervisor')));
    expect(openRecord(sealed.recordId)).toMatchObject({ enrollmentId: recorded.id, details: { address: changed.address } });
  });

  it('refuses to hold an enrollment whose details were changed while the holding officer\'s PIN was checked', async () => {
    const recorded = await enrollmentOnReview(kiosk);
    const hold = call(recorded, 'enrollment.holdForReview', pinOf('officer'));
    const edits = [
      call(recorded, 'enrollment.editDetails'),
      call(recorded, 'enrollment.saveDetails', { ...PERSON_DETAILS, address: 'Some other address 99\n000 00 Nowhere' }),
      call(recorded, 'enrollment.acceptConsent', CONSENT),
    ];
    expect((await Promise.all(edits)).map((result) => result.ok)).toEqual([true, true, true]);
    expect(errorOf(await hold).code).toBe('ENROLLMENT_CHANGED');
    expect(stateOf(recorded.id)).toBe('review');
    expect(heldEnvelope(recorded.id)).toBeUndefined();
    outputOf(await call(recorded, 'enrollment.cancel'));
  });

  it('refuses to seal an enrollment whose row was moved behind the kiosk\'s back (ENROLLMENT_STATE_CONFLICT), leaving the row as it is', async () => {
    const recorded = await enrollmentOnReview(kiosk);
    const counts = () => db().prepare('SELECT (SELECT count(*) FROM outbox) AS queued, (SELECT count(*) FROM slips) AS slips').get();
    const before = counts();
    db().prepare("UPDATE enrollments SET state = 'cancelled' WHERE id = ?").run(recorded.id);
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('supervisor'))).code).toBe('ENROLLMENT_STATE_CONFLICT');
    expect(stateOf(recorded.id)).toBe('cancelled');
    expect(counts()).toEqual(before);
    // What the screen held is no longer the enrollment the store knows: the screen lets it go.
    expect(outputOf(await call(recorded, 'enrollment.current'))).toBeNull();
  });

  it('logs the officer out when the row was moved behind the kiosk\'s back, and leaves no enrollment on the screen', async () => {
    const recorded = await enrollmentOnReview(kiosk);
    db().prepare("UPDATE enrollments SET state = 'cancelled' WHERE id = ?").run(recorded.id);
    outputOf(await call(recorded, 'auth.logout'));
    expect(recorded.screen.operator).toBeNull();
    expect(outputOf(await call(recorded, 'enrollment.current'))).toBeNull();
    expect(stateOf(recorded.id)).toBe('cancelled');
  });

  it('audits no free text as the consent version when the person unticks the consent', async () => {
    const recorded = await enrollmentOnReview(kiosk);
    const start = auditHeadSeq(kiosk.h.kiosk);
    const untick = { accepted: false, version: 'ERIKSSON ANNA 1974-08-12', language: 'en' };
    expect(await view(recorded, 'enrollment.acceptConsent', untick)).toMatchObject({ consent: null });
    const rows = auditRowsAfter(kiosk.h.kiosk, start);
    expect(rows.map((row) => [row.action, JSON.parse(row.details)])).toEqual([
      ['enrollment.consent', { enrollmentId: recorded.id, accepted: false, version: null, language: 'en' }],
    ]);
    expect(rows[0]!.details).not.toContain('ERIKSSON');
    outputOf(await call(recorded, 'enrollment.cancel'));
  });
});

describe('held enrollments bound to their rows', () => {
  const approveFromQueue = async (supervisor: RecordedScreen, id: string) =>
    call(supervisor, 'reviewQueue.approve', { id, credential: { method: 'pin', pin: kiosk.h.operator('supervisor').pin } });

  it('refuses to open or approve a row whose sealed copy was copied over from another held row', async () => {
    const a = await heldByOfficer();
    const b = await heldByOfficer();
    db().prepare('UPDATE held_enrollments SET envelope = ? WHERE enrollment_id = ?').run(heldEnvelope(a), b);
    const supervisor = await kiosk.screen('supervisor');
    expect(errorOf(await call(supervisor, 'reviewQueue.open', { id: b })).code).toBe('ENROLLMENT_HELD_UNREADABLE');
    expect(errorOf(await approveFromQueue(supervisor, b)).code).toBe('ENROLLMENT_HELD_UNREADABLE');
    expect([stateOf(a), stateOf(b)]).toEqual(['awaiting-review', 'awaiting-review']);
    expect([...outboxOf(a), ...outboxOf(b)]).toEqual([]);
    // A's own row still opens as A; B can only be rejected.
    expect(outputOf<z.infer<typeof HeldEnrollment>>(await call(supervisor, 'reviewQueue.open', { id: a })).enrollment).toMatchObject({ id: a });
    for (const id of [a, b]) outputOf(await call(supervisor, 'reviewQueue.reject', { id, reason: 'other' }));
  });

  it('cannot seal an enrollment a supervisor rejected from a copy of its sealed copy put under a new row', async () => {
    const a = await heldByOfficer();
    const copy = heldEnvelope(a)!;
    const supervisor = await kiosk.screen('supervisor');
    outputOf(await call(supervisor, 'reviewQueue.reject', { id: a, reason: 'identity-doubt' }));
    const c = insertHeldEnrollment(db(), { by: kiosk.h.operator('officer').id });
    db().prepare('UPDATE held_enrollments SET envelope = ? WHERE enrollment_id = ?').run(copy, c);

    expect(errorOf(await approveFromQueue(supervisor, c)).code).toBe('ENROLLMENT_HELD_UNREADABLE');
    expect(errorOf(await call(supervisor, 'reviewQueue.open', { id: c })).code).toBe('ENROLLMENT_HELD_UNREADABLE');
    expect([stateOf(a), stateOf(c)]).toEqual(['rejected', 'awaiting-review']);
    expect([...outboxOf(a), ...outboxOf(c)]).toEqual([]);
    outputOf(await call(supervisor, 'reviewQueue.reject', { id: c, reason: 'other' }));
  });

  it('lists a held row whose reasons are damaged with none, and the rest of the queue works', async () => {
    const good = await heldByOfficer();
    const bad = await heldByOfficer();
    db().prepare('UPDATE enrollments SET second_approval = ? WHERE id = ?').run('["whatever"]', bad);
    const supervisor = await kiosk.screen('supervisor');
    const queue = outputOf<z.infer<typeof ReviewQueue>>(await call(supervisor, 'reviewQueue.list'));
    expect(queue.enrollments.find((held) => held.id === bad)).toMatchObject({ reasons: [] });
    expect(queue.enrollments.find((held) => held.id === good)).toMatchObject({ reasons: ['face-exception', 'finger-exception'] });
    expect(outputOf<z.infer<typeof HeldEnrollment>>(await call(supervisor, 'reviewQueue.open', { id: good })).enrollment).toMatchObject({ id: good });
    outputOf(await call(supervisor, 'reviewQueue.reject', { id: bad, reason: 'other' }));
    // The reasons that count are the sealed copy's: approving the good one records them.
    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await approveFromQueue(supervisor, good));
    expect(openRecord(sealed.recordId)).toMatchObject({ approval: { secondApproval: { reasons: ['face-exception', 'finger-exception'] } } });
  });
});

describe('exception photos', () => {
  it('refuses a photo that declares more pixels than a camera takes, however small the upload', async () => {
    const screen = await kiosk.screen('officer');
    await atFace(screen, 'person');
    // 2400 × 1800 grey at the lowest quality: about 120 kB on the wire, 4.3 megapixels once decoded.
    const width = 2400;
    const height = 1800;
    const photo = Buffer.from(jpeg.encode({ width, height, data: Buffer.alloc(width * height * 4, 128) }, 1).data);
    expect(photo.length).toBeLessThan(1_500_000);
    const refused = errorOf(await call(screen, 'enrollment.recordFaceException', { reason: 'injured', note: 'Bandaged face', photo: photo.toString('base64') }));
    expect(refused.code).toBe('EXCEPTION_PHOTO_UNREADABLE');
    expect(await view(screen, 'enrollment.current')).toMatchObject({ step: 'face', faceException: null });
    // A camera-sized photo is taken.
    expect(await view(screen, 'enrollment.recordFaceException', { reason: 'injured', note: 'Bandaged face', photo: exceptionPhoto() }))
      .toMatchObject({ step: 'fingerprints' });
    outputOf(await call(screen, 'enrollment.cancel'));
  });
});

// Last: the restart abandons every enrollment of this kiosk's store left on a step.
describe('a restart', () => {
  it('drops the sealed copy of a row a restart abandons (its state was set back to a step)', async () => {
    const id = await heldByOfficer();
    db().prepare("UPDATE enrollments SET state = 'review' WHERE id = ?").run(id);
    const restarted = openKiosk({ dataDir: kiosk.h.dataDir, host: 'browser', log: silentLog });
    try {
      expect(restarted.db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id)).toEqual({ state: 'abandoned' });
      expect(restarted.db.prepare('SELECT count(*) AS n FROM held_enrollments WHERE enrollment_id = ?').get(id)).toEqual({ n: 0 });
    } finally {
      restarted.close();
    }
  });
});
