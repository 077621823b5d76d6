// The pictures of an enrollment as the review and the supervisor's queue show them: both faces,
// each captured finger's image and every exception photo, as data: URLs for the screen that
// asked (they never leave the kiosk otherwise, and never reach its disk in the clear).

import type { z } from 'zod';
import type { EnrollmentMedia } from '../rpc/schemas.js';
import type { Enrollment } from './enrollment.js';

/** `bytes` as a data: URL; null without bytes. */
export const imageDataUrl = (type: 'jpeg' | 'png', bytes: Uint8Array | null | undefined): string | null =>
  (bytes ? `data:image/${type};base64,${Buffer.from(bytes).toString('base64')}` : null);

export function enrollmentMedia(enrollment: Enrollment): z.input<typeof EnrollmentMedia> {
  const face = enrollment.face;
  return {
    documentPortrait: imageDataUrl('jpeg', face?.outcome.documentPortrait),
    livePortrait: imageDataUrl('jpeg', face?.outcome.livePortrait),
    faceExceptionPhoto: imageDataUrl('jpeg', enrollment.faceException?.photo),
    livenessExceptionPhoto: imageDataUrl('jpeg', face?.livenessException?.photo),
    fingers: (enrollment.fingerprints?.outcomes() ?? []).map((finger) => ({
      position: finger.position,
      image: finger.kind === 'captured' ? imageDataUrl('png', finger.png) : null,
      exceptionPhoto: finger.kind === 'exception' ? imageDataUrl('jpeg', finger.photo) : null,
    })),
  };
}
