// The person flow's fingerprint step through a real kiosk whose fingerprint module is the
// simulator on a pty: capturing the requested fingers with progress on the screen, the
// quality retry, a finger presented twice (kept, but the enrollment then needs a second
// approver), exceptions with their note and photo, cancelling, and leaving the step — with
// audit entries that carry positions, reasons and counts, never images, templates or notes.

import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGreyPng } from '../../../../native/fingerprint/finger-image.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import type { Enrollment } from '../../../../main/rpc/contract.js';
import { setSetting } from '../../../../main/store/settings.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { auditHeadSeq, auditRowsAfter, errorOf, outputOf, type RecordedScreen } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, progressOf, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { until } from '../../../unit/native/transport/waiting.js';

type EnrollmentView = z.infer<typeof Enrollment>;

let kiosk: SimulatedKiosk;
beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
});
afterAll(() => kiosk?.close());

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const view = async (recorded: RecordedScreen, method: string, input: unknown = {}) =>
  outputOf<EnrollmentView>(await call(recorded, method, input));
const outcomeOf = (enrollment: EnrollmentView, position: number) =>
  enrollment.fingerprints!.fingers.find((finger) => finger.position === position)!.outcome;

/** A passport as the reader delivers it (straight from the reader service: the document step is not under test here). */
function readPassport(): void {
  const lines = formatMrz({
    documentCode: 'P', issuingState: 'UTO', documentNumber: 'L898902C3', nationality: 'UTO', birthDate: '740812', sex: 'F',
    expiryDate: '420415', surname: 'ERIKSSON', givenNames: 'ANNA MARIA', optionalData: 'ZE184226B', optionalData2: '',
  }, 'TD3');
  const now = new Date();
  kiosk.rig.documentReader!.emit('reading', { kind: 'mrz', at: now, result: parseMrz(lines, { now }) });
}

const officerRef = () => {
  const { id, name, role } = kiosk.h.operator('officer');
  return { id, name, role };
};

/** An officer's screen with a person enrolled up to the fingerprint step (passport accepted, face exception recorded). */
async function atFingerprintStep(person: SimulatedPerson | null = new SimulatedPerson('applicant')): Promise<RecordedScreen> {
  kiosk.fingers.liftFinger(); // an earlier test may have left a finger on the sensor
  const recorded = await kiosk.screen('officer', person ?? undefined);
  await view(recorded, 'enrollment.start', { flow: 'person' });
  readPassport();
  const { pendingRead } = await view(recorded, 'enrollment.current');
  expect((await view(recorded, 'enrollment.acceptDocument', { readId: pendingRead!.readId })).step).toBe('face');
  const enrollment = await view(recorded, 'enrollment.recordFaceException', { reason: 'no-camera', note: 'camera unplugged', photo: null });
  expect(enrollment).toMatchObject({
    step: 'fingerprints', faceException: { reason: 'no-camera', photo: false, by: officerRef() }, secondApproval: ['face-exception'],
  });
  return recorded;
}

describe('fingerprint step', () => {
  it('captures the requested fingers with progress, keeps the image for the screen, and moves on when all are done', async () => {
    const recorded = await atFingerprintStep();
    const start = auditHeadSeq(kiosk.h.kiosk);
    const before = await view(recorded, 'enrollment.current');
    expect(before.fingerprints).toEqual({
      fingers: [{ position: 2, outcome: { kind: 'pending' } }, { position: 7, outcome: { kind: 'pending' } }], capturing: null,
    });
    expect(errorOf(await call(recorded, 'fingerprint.finish')).code).toBe('FINGERPRINT_STEP_INCOMPLETE');

    const first = await view(recorded, 'fingerprint.capture', { position: 2 });
    expect(outcomeOf(first, 2)).toMatchObject({ kind: 'captured', qualityAccepted: true, attempts: 1, duplicateOf: null, by: officerRef() });
    const { score } = (outcomeOf(first, 2) as { quality: { score: number } }).quality;
    expect(score).toBeGreaterThanOrEqual(40);
    expect(recorded.events.some((e) => e.name === 'enrollment.changed' && (e.payload as EnrollmentView).fingerprints?.capturing === 2)).toBe(true);

    const progress = progressOf(recorded);
    expect([...new Set(progress.map((p) => p.state))]).toEqual(['place', 'uploading', 'capturing', 'lift', 'place-again']);
    const uploads = progress.filter((p) => p.state === 'uploading').map((p) => p.upload!);
    expect(uploads.at(-1)).toEqual({ bytes: 36_864, total: 36_864 });
    expect(uploads.length).toBeLessThanOrEqual(101); // whole-percent steps, not one per packet
    expect(progress.find((p) => p.quality)?.quality?.score).toBe(score);
    expect(progress.every((p) => p.position === 2 && p.attempt === 1)).toBe(true);

    const { png } = outputOf<{ png: string }>(await call(recorded, 'fingerprint.image', { position: 2 }));
    expect(decodeGreyPng(Buffer.from(png, 'base64'))).toMatchObject({ width: 256, height: 288 });
    expect(errorOf(await call(recorded, 'fingerprint.image', { position: 7 })).code).toBe('FINGERPRINT_NOT_CAPTURED');

    const second = await view(recorded, 'fingerprint.capture', { position: 7 });
    expect(outcomeOf(second, 7)).toMatchObject({ kind: 'captured', duplicateOf: null });
    const finished = await view(recorded, 'fingerprint.finish');
    expect(finished).toMatchObject({ step: 'details', state: 'details', secondApproval: ['face-exception'] });
    const row = kiosk.h.kiosk.db.prepare('SELECT state FROM enrollments WHERE id = ?').get(finished.id);
    expect(row).toEqual({ state: 'details' });
    expect(await kiosk.templatesOnModule()).toBe(0); // no applicant template was stored on the module

    const audit = auditRowsAfter(kiosk.h.kiosk, start);
    expect(audit.map((entry) => [entry.action, JSON.parse(entry.details)])).toEqual([
      ['fingerprint.captured', { enrollmentId: finished.id, position: 2, quality: score, qualityAccepted: true, attempts: 1, duplicate: 'none' }],
      ['fingerprint.captured', expect.objectContaining({ position: 7, duplicate: 'none' })],
      ['fingerprint.step-finished', { enrollmentId: finished.id, captured: 2, exceptions: 0 }],
    ]);
  });

  it('flags a finger presented twice in one enrollment; a retry clears the flag, a kept duplicate needs a second approver', async () => {
    const person = new SimulatedPerson('applicant');
    const recorded = await atFingerprintStep(person);
    await view(recorded, 'fingerprint.capture', { position: 2 });
    person.choose = () => 2; // asked for the left index, the right index is placed again
    const twice = await view(recorded, 'fingerprint.capture', { position: 7 });
    expect(outcomeOf(twice, 7)).toMatchObject({ kind: 'captured', duplicateOf: { kind: 'session', position: 2 } });
    expect(twice.secondApproval).toEqual(['face-exception', 'finger-duplicate']);

    const retried = await view(recorded, 'fingerprint.retry', { position: 7 });
    expect(outcomeOf(retried, 7)).toEqual({ kind: 'pending' });
    expect(retried.secondApproval).toEqual(['face-exception']);

    // Placed wrong again and kept: the step ends, and the duplicate is for a second approver to weigh.
    expect(outcomeOf(await view(recorded, 'fingerprint.capture', { position: 7 }), 7))
      .toMatchObject({ duplicateOf: { kind: 'session', position: 2 } });
    const start = auditHeadSeq(kiosk.h.kiosk);
    const finished = await view(recorded, 'fingerprint.finish');
    expect(finished).toMatchObject({ step: 'details', secondApproval: ['face-exception', 'finger-duplicate'] });
    expect(auditRowsAfter(kiosk.h.kiosk, start).map((entry) => [entry.action, JSON.parse(entry.details)])).toEqual([
      ['fingerprint.step-finished', { enrollmentId: finished.id, captured: 2, exceptions: 0 }],
    ]);
  });

  it('retries below the configured quality threshold and keeps the last allowed attempt, marked', async () => {
    setSetting(kiosk.h.kiosk.db, 'fingerprintCapture', { qualityThreshold: 100, maxAttempts: 2 });
    try {
      const recorded = await atFingerprintStep();
      const captured = await view(recorded, 'fingerprint.capture', { position: 2 });
      expect(outcomeOf(captured, 2)).toMatchObject({ kind: 'captured', attempts: 2, qualityAccepted: false });
      const progress = progressOf(recorded);
      expect(progress.find((p) => p.retryReason)).toMatchObject({ attempt: 1, state: 'lift', retryReason: expect.stringMatching(/below 100/) });
      expect(progress.filter((p) => p.state === 'uploading' && p.upload!.bytes === p.upload!.total).map((p) => p.attempt)).toEqual([1, 2]);
    } finally {
      kiosk.h.kiosk.db.prepare("DELETE FROM settings WHERE key = 'fingerprintCapture'").run();
    }
  });

  it('records finger exceptions with reason, note and photo instead of a capture; note and photo stay out of the audit log', async () => {
    const recorded = await atFingerprintStep();
    const start = auditHeadSeq(kiosk.h.kiosk);
    const handPhoto = exceptionPhoto(30);
    await view(recorded, 'fingerprint.recordException', { position: 2, reason: 'missing', note: 'amputated', photo: handPhoto });
    const both = await view(recorded, 'fingerprint.recordException', {
      position: 7, reason: 'bandaged', note: ' plaster cast ', photo: exceptionPhoto(160),
    });
    const evidence = { by: officerRef(), at: expect.any(String), photo: true };
    expect(both.fingerprints!.fingers.map((finger) => finger.outcome)).toEqual([
      { kind: 'exception', reason: 'missing', note: 'amputated', ...evidence },
      { kind: 'exception', reason: 'bandaged', note: 'plaster cast', ...evidence },
    ]);
    expect(both.secondApproval).toEqual(['face-exception', 'finger-exception']);
    // The photos reach the screen as pictures, each with its finger.
    const media = outputOf<{ fingers: Array<{ position: number; image: string | null; exceptionPhoto: string | null }> }>(
      await call(recorded, 'enrollment.media'));
    expect(media.fingers).toEqual([
      { position: 2, image: null, exceptionPhoto: `data:image/jpeg;base64,${handPhoto}` },
      { position: 7, image: null, exceptionPhoto: expect.stringMatching(/^data:image\/jpeg;base64,/) },
    ]);

    const refused = async (input: Record<string, unknown>) =>
      errorOf(await call(recorded, 'fingerprint.recordException', { position: 7, reason: 'injured', note: 'deep cut', photo: handPhoto, ...input }));
    expect((await refused({ position: 5 })).code).toBe('FINGERPRINT_NOT_REQUESTED');
    expect((await refused({ reason: 'lost' })).code).toBe('RPC_INVALID_INPUT');
    expect((await refused({ note: ' x ' })).details.issues).toEqual([expect.objectContaining({ path: ['note'] })]);
    expect((await refused({ note: 'two\nlines' })).code).toBe('RPC_INVALID_INPUT');
    expect((await refused({ photo: null })).details.issues).toEqual([expect.objectContaining({ path: ['photo'] })]);
    expect((await refused({ photo: undefined })).code).toBe('RPC_INVALID_INPUT');
    expect((await refused({ photo: Buffer.from('not a picture at all').toString('base64') })).code).toBe('EXCEPTION_PHOTO_UNREADABLE');
    // Nothing refused replaced what was recorded.
    expect(outcomeOf(await view(recorded, 'enrollment.current'), 7)).toMatchObject({ reason: 'bandaged', note: 'plaster cast' });
    expect((await view(recorded, 'fingerprint.finish')).step).toBe('details');

    const audit = auditRowsAfter(kiosk.h.kiosk, start);
    expect(audit.map((entry) => [entry.action, JSON.parse(entry.details)])).toEqual([
      ['fingerprint.exception', { enrollmentId: both.id, position: 2, reason: 'missing' }],
      ['fingerprint.exception', { enrollmentId: both.id, position: 7, reason: 'bandaged' }],
      ['fingerprint.step-finished', { enrollmentId: both.id, captured: 0, exceptions: 2 }],
    ]);
    expect(audit.some((entry) => entry.details.includes('plaster') || entry.details.includes('amputated'))).toBe(false);
    expect(audit.some((entry) => entry.details.includes(handPhoto.slice(0, 40)))).toBe(false);
  });

  it('stops a capture nobody places a finger for when cancelled or the enrollment ends, and refuses captures off the step', async () => {
    const recorded = await atFingerprintStep(null); // nobody at the sensor
    const capture = call(recorded, 'fingerprint.capture', { position: 2 });
    await until(() => progressOf(recorded).length > 0);
    expect(progressOf(recorded)[0]).toMatchObject({ position: 2, state: 'place', attempt: 1 });
    expect(outputOf(await call(recorded, 'fingerprint.cancel'))).toEqual({ cancelled: true });
    expect(errorOf(await capture).code).toBe('FINGER_CAPTURE_CANCELLED');
    const after = await view(recorded, 'enrollment.current');
    expect(after.fingerprints).toMatchObject({ capturing: null, fingers: [{ outcome: { kind: 'pending' } }, { outcome: { kind: 'pending' } }] });
    expect(outputOf(await call(recorded, 'fingerprint.cancel'))).toEqual({ cancelled: false });

    const abandoned = call(recorded, 'fingerprint.capture', { position: 7 });
    await until(() => progressOf(recorded).some((p) => p.position === 7));
    outputOf(await call(recorded, 'enrollment.cancel')); // ending the enrollment stops its capture
    expect(errorOf(await abandoned).code).toBe('FINGER_CAPTURE_CANCELLED');

    const atDocument = await kiosk.screen('officer');
    await view(atDocument, 'enrollment.start', { flow: 'person' });
    expect(errorOf(await call(atDocument, 'fingerprint.capture', { position: 2 })).code).toBe('ENROLLMENT_WRONG_STEP');
    expect(errorOf(await call(atDocument, 'enrollment.recordFaceException', { reason: 'medical', note: 'eye bandage', photo: exceptionPhoto() })).code)
      .toBe('ENROLLMENT_WRONG_STEP');
  });
});
