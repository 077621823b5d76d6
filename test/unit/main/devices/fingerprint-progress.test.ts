// What a screen sees of a capture: the flow's detailed progress mapped to place / lift /
// place again / capturing / uploading, repeated polls and sub-percent upload steps dropped,
// the attempt's quality kept until the next attempt, and the reason for a retry.

import { describe, expect, it } from 'vitest';
import type { FingerCaptureProgress } from '../../../../native/fingerprint/capture-flow.js';
import { FINGER_QUALITY_METHOD } from '../../../../native/fingerprint/finger-quality.js';
import { fingerprintProgressReporter, type FingerprintProgressView } from '../../../../main/devices/fingerprint-progress.js';

const quality = { method: FINGER_QUALITY_METHOD, score: 35, components: { contrast: 0.5, orientationCoherence: 0.4, usableArea: 0.2 } } as const;

function run(events: FingerCaptureProgress[]): FingerprintProgressView[] {
  const sent: FingerprintProgressView[] = [];
  const report = fingerprintProgressReporter(7, (progress) => sent.push(progress));
  events.forEach(report);
  return sent;
}

describe('fingerprintProgressReporter', () => {
  it('maps one attempt to what the person does and waits for, once per change', () => {
    const sent = run([
      { step: 'place', impression: 1, attempt: 1, waitedMs: 0, timeoutMs: 20_000 },
      { step: 'place', impression: 1, attempt: 1, waitedMs: 150, timeoutMs: 20_000 },
      { step: 'image-upload', attempt: 1, bytes: 128, total: 36_864 },
      { step: 'image-upload', attempt: 1, bytes: 256, total: 36_864 },
      { step: 'image-upload', attempt: 1, bytes: 36_864, total: 36_864 },
      { step: 'quality', attempt: 1, quality, accepted: true },
      { step: 'lift', attempt: 1, waitedMs: 0, timeoutMs: 10_000 },
      { step: 'lift', attempt: 1, waitedMs: 150, timeoutMs: 10_000 },
      { step: 'lift-not-seen', attempt: 1 },
      { step: 'place', impression: 2, attempt: 1, waitedMs: 0, timeoutMs: 20_000 },
      { step: 'template-upload', bytes: 512, total: 512 },
      { step: 'search' },
    ]);
    expect(sent.map(({ state, upload }) => [state, upload?.bytes ?? null])).toEqual([
      ['place', null], ['uploading', 128], ['uploading', 36_864], ['capturing', null], ['lift', null], ['place-again', null], ['capturing', null],
    ]);
    expect(sent.every((progress) => progress.position === 7 && progress.attempt === 1 && progress.retryReason === null)).toBe(true);
    expect(sent[3]!.quality).toEqual(quality);
    expect(sent.at(-1)!.quality).toEqual(quality);
  });

  it('says why an attempt is repeated and starts the next one without the old quality', () => {
    const sent = run([
      { step: 'quality', attempt: 1, quality, accepted: false },
      { step: 'retry', attempt: 1, reason: 'quality 35 below 40' },
      { step: 'place', impression: 1, attempt: 2, waitedMs: 0, timeoutMs: 20_000 },
    ]);
    expect(sent.slice(1)).toEqual([
      { position: 7, attempt: 1, state: 'lift', upload: null, quality, retryReason: 'quality 35 below 40' },
      { position: 7, attempt: 2, state: 'place', upload: null, quality: null, retryReason: 'quality 35 below 40' },
    ]);
  });
});
