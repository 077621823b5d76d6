// The fingerprint step's in-memory data on its own: only requested fingers, one capture at
// a time, exceptions (with their evidence) and discards, when the step may end (a duplicate
// no longer stops it: it becomes a second-approval reason), who captured what, and a view that
// never carries the image, template, ISO record or exception photo.

import { describe, expect, it } from 'vitest';
import { FingerprintCaptures } from '../../../../main/enrollment/fingerprint-captures.js';
import { FingerprintStep } from '../../../../main/rpc/schemas.js';
import {
  containsBytes, fingerCapture as capture, fingerException as exception, OFFICER, RECORDED_AT, SECOND_OFFICER, started,
} from './sample-enrollments.js';

/** The GatehouseError code `action` throws. */
const refusedWith = (action: () => unknown, code: string) => expect(action).toThrow(expect.objectContaining({ name: 'GatehouseError', code }));

describe('FingerprintCaptures', () => {
  it('keeps captures for requested fingers, with who captured them, and shows them without any biometric bytes', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.record(capture(2));
    refusedWith(() => captures.record(capture(3)), 'FINGERPRINT_NOT_REQUESTED');
    expect(captures.captured(2).isoRecord).toEqual(capture(2).isoRecord);
    refusedWith(() => captures.captured(7), 'FINGERPRINT_NOT_CAPTURED');
    const view = captures.view();
    expect(FingerprintStep.parse(view)).toEqual(view);
    expect(view).toEqual({
      capturing: null,
      fingers: [
        { position: 2, outcome: { kind: 'captured', quality: capture(2).quality, qualityAccepted: true, attempts: 2, duplicateOf: null, by: OFFICER } },
        { position: 7, outcome: { kind: 'pending' } },
      ],
    });
    expect(JSON.stringify(view)).not.toMatch(/template|isoRecord|png/);
    expect(containsBytes(view)).toBe(false);
    expect(captures.capturedExcept(7).map((c) => c.position)).toEqual([2]);
    expect(captures.capturedExcept(2)).toEqual([]);
  });

  it('shows an exception with its reason, note, officer and time, and its photo only as a flag', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.recordException(exception(7, { by: SECOND_OFFICER, reason: 'missing', note: 'Amputated' }));
    captures.recordException(exception(2, { photo: null }));
    const view = captures.view();
    expect(FingerprintStep.parse(view)).toEqual(view);
    expect(view.fingers).toEqual([
      { position: 2, outcome: { kind: 'exception', reason: 'bandaged', note: 'Hand in a cast', by: OFFICER, at: RECORDED_AT, photo: false } },
      { position: 7, outcome: { kind: 'exception', reason: 'missing', note: 'Amputated', by: SECOND_OFFICER, at: RECORDED_AT, photo: true } },
    ]);
    expect(containsBytes(view)).toBe(false);
    refusedWith(() => captures.recordException(exception(4)), 'FINGERPRINT_NOT_REQUESTED');
  });

  it('replaces a capture with a later exception for the same finger, and an exception with a later capture', () => {
    const captures = new FingerprintCaptures([2]);
    captures.record(capture(2));
    captures.recordException(exception(2));
    expect(captures.outcomes()).toEqual([exception(2)]);
    refusedWith(() => captures.captured(2), 'FINGERPRINT_NOT_CAPTURED');
    captures.record(capture(2, { by: SECOND_OFFICER }));
    expect(captures.outcomes()).toEqual([capture(2, { by: SECOND_OFFICER })]);
  });

  it('captures one finger at a time and refuses exceptions or discards for the finger being captured', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.beginCapture(2);
    expect(captures.view().capturing).toBe(2);
    refusedWith(() => captures.beginCapture(7), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.recordException(exception(2, { reason: 'injured' })), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.discard(2), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_CAPTURE_RUNNING');
    captures.recordException(exception(7));
    captures.endCapture();
    refusedWith(() => captures.beginCapture(4), 'FINGERPRINT_NOT_REQUESTED');
    expect(captures.view().capturing).toBeNull();
  });

  it('lets the step end once every finger has a capture or an exception, a duplicate included', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.record(capture(2));
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_STEP_INCOMPLETE');
    expect(() => captures.assertComplete()).toThrow(expect.objectContaining({ details: { missing: [7] } }));
    captures.record(capture(7, { duplicateOf: { kind: 'session', position: 2 } }));
    captures.assertComplete(); // the duplicate stays, for a second approver to weigh
    expect(captures.view().fingers[1]!.outcome).toMatchObject({ kind: 'captured', duplicateOf: { kind: 'session', position: 2 } });
    captures.discard(7);
    expect(captures.view().fingers[1]!.outcome).toEqual({ kind: 'pending' });
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_STEP_INCOMPLETE');
    captures.recordException(exception(7, { reason: 'missing' }));
    captures.assertComplete();
    expect(captures.summary()).toEqual({ captured: 1, exceptions: 1 });
    captures.clear();
    expect(captures.summary()).toEqual({ captured: 0, exceptions: 0 });
    expect(captures.outcomes()).toEqual([]);
  });

  it('gives the outcomes in the order the fingers were asked for, pending ones left out', () => {
    const captures = new FingerprintCaptures([7, 2, 1]);
    captures.record(capture(1));
    captures.recordException(exception(7));
    expect(captures.outcomes().map((outcome) => [outcome.position, outcome.kind])).toEqual([[7, 'exception'], [1, 'captured']]);
  });
});

describe('Enrollment and the fingerprint step', () => {
  it('asks for fingerprints in the person flow only, opens them on that step only, and drops them on close', () => {
    expect(started('company').fingerprints).toBeNull();
    const enrollment = started('person', { requested: [2, 7] });
    refusedWith(() => enrollment.fingerprintStep(), 'ENROLLMENT_WRONG_STEP');
    expect(enrollment.view()).toMatchObject({ faceException: null, fingerprints: { capturing: null } });
    enrollment.enter('fingerprints');
    enrollment.fingerprintStep().record(capture(2));
    enrollment.fingerprintStep().beginCapture(7);
    expect(enrollment.closed.aborted).toBe(false);
    enrollment.close();
    expect(enrollment.closed.aborted).toBe(true);
    expect(enrollment.fingerprints!.summary()).toEqual({ captured: 0, exceptions: 0 });
    expect(enrollment.fingerprints!.view().capturing).toBeNull();
  });
});
