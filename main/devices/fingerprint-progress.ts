// Turns the capture flow's detailed progress into what a screen shows: the state the
// person has to act on (place, lift, place again) or wait through (capturing, uploading
// with bytes so far), the attempt, its quality and why an earlier attempt was repeated.
// Repeated polls are not re-sent; the image upload is sent in whole-percent steps.

import type { z } from 'zod';
import { FingerCaptureFlow, type FingerCaptureProgress } from '../../native/fingerprint/capture-flow.js';
import type { R30xDriver } from '../../native/fingerprint/r30x-driver.js';
import type { EventSink } from '../rpc/event-sink.js';
import type { FingerprintProgress } from '../rpc/procedures/fingerprint.js';

export type FingerprintProgressView = z.infer<typeof FingerprintProgress>;

export function fingerprintProgressReporter(position: number | null, send: (progress: FingerprintProgressView) => void)
  : (progress: FingerCaptureProgress) => void {
  let current: FingerprintProgressView = { position, attempt: 1, state: 'place', upload: null, quality: null, retryReason: null };
  let lastSent = '';
  const update = (changes: Partial<FingerprintProgressView>) => {
    current = { ...current, upload: null, ...changes };
    const upload = current.upload ? Math.floor((100 * current.upload.bytes) / current.upload.total) : null;
    const key = JSON.stringify({ ...current, upload });
    if (key === lastSent) return;
    lastSent = key;
    send(current);
  };
  return (progress) => {
    switch (progress.step) {
      case 'place':
        if (progress.attempt !== current.attempt) current = { ...current, attempt: progress.attempt, quality: null };
        update({ state: progress.impression === 1 ? 'place' : 'place-again' });
        break;
      case 'lift':
        update({ state: 'lift' });
        break;
      case 'image-upload':
        update({ state: 'uploading', upload: { bytes: progress.bytes, total: progress.total } });
        break;
      case 'quality':
        update({ state: 'capturing', quality: progress.quality });
        break;
      case 'retry':
        update({ state: 'lift', retryReason: progress.reason });
        break;
      case 'template-upload':
      case 'search':
        update({ state: 'capturing' });
        break;
      case 'lift-not-seen':
        break;
    }
  };
}

/** A capture flow on `driver` whose progress goes to a screen as `fingerprint.progress` events. */
export function flowReportingTo(emit: EventSink, driver: R30xDriver, position: number | null): FingerCaptureFlow {
  const flow = new FingerCaptureFlow(driver);
  flow.on('progress', fingerprintProgressReporter(position, (progress) => emit('fingerprint.progress', progress)));
  return flow;
}
