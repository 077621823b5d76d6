// The fingerprint step's in-memory data on its own: only requested fingers, one capture at
// a time, exceptions and discards, when the step may end, and a view that never carries
// the image, template or ISO record.

import { describe, expect, it } from 'vitest';
import { recordFingerException } from '../../../../native/fingerprint/capture-flow.js';
import { FINGER_QUALITY_METHOD } from '../../../../native/fingerprint/finger-quality.js';
import { FingerprintCaptures, type FingerCapture } from '../../../../main/enrollment/fingerprint-captures.js';
import { EnrollmentSession } from '../../../../main/enrollment/enrollment-session.js';

const capture = (position: number, duplicateOf: FingerCapture['duplicateOf'] = null): FingerCapture => ({
  kind: 'captured', position, isoRecord: new Uint8Array([1, 2, 3]), template: new Uint8Array(512).fill(position),
  png: new Uint8Array([0x89, 0x50]), attempts: 1, qualityAccepted: true, duplicateOf,
  quality: { method: FINGER_QUALITY_METHOD, score: 80, components: { contrast: 0.9, orientationCoherence: 0.8, usableArea: 0.7 } },
});

/** The GatehouseError code `action` throws. */
const refusedWith = (action: () => unknown, code: string) => expect(action).toThrow(expect.objectContaining({ name: 'GatehouseError', code }));

describe('FingerprintCaptures', () => {
  it('keeps captures for requested fingers and shows them without any biometric bytes', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.record(capture(2));
    refusedWith(() => captures.record(capture(3)), 'FINGERPRINT_NOT_REQUESTED');
    expect(captures.captured(2).isoRecord).toEqual(new Uint8Array([1, 2, 3]));
    refusedWith(() => captures.captured(7), 'FINGERPRINT_NOT_CAPTURED');
    const view = captures.view();
    expect(view).toEqual({
      capturing: null,
      fingers: [
        { position: 2, outcome: { kind: 'captured', quality: capture(2).quality, qualityAccepted: true, attempts: 1, duplicateOf: null } },
        { position: 7, outcome: { kind: 'pending' } },
      ],
    });
    expect(JSON.stringify(view)).not.toMatch(/template|isoRecord|png/);
    expect(captures.capturedExcept(7).map((c) => c.position)).toEqual([2]);
    expect(captures.capturedExcept(2)).toEqual([]);
  });

  it('captures one finger at a time and refuses exceptions or discards for the finger being captured', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.beginCapture(2);
    expect(captures.view().capturing).toBe(2);
    refusedWith(() => captures.beginCapture(7), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.recordException(recordFingerException(2, 'injured')), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.discard(2), 'FINGERPRINT_CAPTURE_RUNNING');
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_CAPTURE_RUNNING');
    captures.recordException(recordFingerException(7, 'bandaged', 'cast'));
    captures.endCapture();
    refusedWith(() => captures.beginCapture(4), 'FINGERPRINT_NOT_REQUESTED');
    expect(captures.view().capturing).toBeNull();
  });

  it('lets the step end only when every finger has a capture without duplicate, or an exception', () => {
    const captures = new FingerprintCaptures([2, 7]);
    captures.record(capture(2));
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_STEP_INCOMPLETE');
    captures.record(capture(7, { kind: 'session', position: 2 }));
    refusedWith(() => captures.assertComplete(), 'FINGERPRINT_DUPLICATE');
    captures.discard(7);
    expect(captures.view().fingers[1]!.outcome).toEqual({ kind: 'pending' });
    captures.recordException(recordFingerException(7, 'missing'));
    captures.assertComplete();
    expect(captures.summary()).toEqual({ captured: 1, exceptions: 1 });
    captures.clear();
    expect(captures.summary()).toEqual({ captured: 0, exceptions: 0 });
  });
});

describe('EnrollmentSession and the fingerprint step', () => {
  it('asks for fingerprints in the person flow only, reaches them past a face exception, and drops them on close', () => {
    expect(new EnrollmentSession('company').fingerprints).toBeNull();
    const session = new EnrollmentSession('person', [2, 7]);
    refusedWith(() => session.fingerprintStep(), 'ENROLLMENT_WRONG_STEP');
    refusedWith(() => session.recordFaceException('medical'), 'ENROLLMENT_WRONG_STEP'); // still on the document step
    expect(session.view()).toMatchObject({ faceException: null, fingerprints: { capturing: null } });
    expect(session.closed.aborted).toBe(false);
    session.fingerprints!.record(capture(2));
    session.close();
    expect(session.closed.aborted).toBe(true);
    expect(session.fingerprints!.summary()).toEqual({ captured: 0, exceptions: 0 });
  });
});
