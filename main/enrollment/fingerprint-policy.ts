// How this kiosk captures fingerprints (settings key "fingerprintCapture"): the fingers
// the person flow asks for, the lowest acceptable quality estimate, how many attempts a
// finger gets before the last one is kept anyway, and how long to wait for a finger. A
// technician sets the fingers from the device set-up (`devices.setFingers`).

import { z } from 'zod';
import type { FingerCaptureOptions } from '../../native/fingerprint/capture-flow.js';
import { FingerPosition } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { GatehouseError } from '../errors.js';
import { getSetting, setSetting } from '../store/settings.js';

/** Right index (2) and left index (7). */
export const DEFAULT_FINGERS: readonly number[] = [2, 7];

export const FingerprintPolicy = z.strictObject({
  fingers: z.array(FingerPosition).min(1).max(10)
    .refine((fingers) => new Set(fingers).size === fingers.length, 'each finger once').default([...DEFAULT_FINGERS]),
  /** 0–100 on the NFIQ 2-style estimate. */
  qualityThreshold: z.number().int().min(0).max(100).default(40),
  maxAttempts: z.number().int().min(1).max(10).default(3),
  placeTimeoutSeconds: z.number().int().min(5).max(120).default(20),
});

export type FingerprintPolicy = z.output<typeof FingerprintPolicy>;

export function readFingerprintPolicy(db: Db): FingerprintPolicy {
  return getSetting(db, 'fingerprintCapture', FingerprintPolicy, FingerprintPolicy.parse({}));
}

/** The capture-flow options this policy sets. */
export function captureOptions(policy: FingerprintPolicy): Pick<FingerCaptureOptions, 'qualityThreshold' | 'maxAttempts' | 'placeTimeoutMs'> {
  return { qualityThreshold: policy.qualityThreshold, maxAttempts: policy.maxAttempts, placeTimeoutMs: policy.placeTimeoutSeconds * 1000 };
}

/**
 * Sets the fingers the person flow asks for, keeping the policy's other fields; each finger
 * once (DEVICES_FINGERS_INVALID otherwise). Returns the fingers before and after, for the audit.
 */
export function writeFingers(db: Db, fingers: readonly number[]): { old: number[]; new: number[] } {
  return db.transaction(() => {
    const before = readFingerprintPolicy(db);
    const parsed = FingerprintPolicy.safeParse({ ...before, fingers });
    if (!parsed.success) {
      throw new GatehouseError('DEVICES_FINGERS_INVALID', `The fingers to capture must be one to ten positions, each once (${z.prettifyError(parsed.error)}).`);
    }
    setSetting(db, 'fingerprintCapture', parsed.data);
    return { old: before.fingers, new: parsed.data.fingers };
  }).immediate();
}
