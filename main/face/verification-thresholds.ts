// The calibrated decision thresholds for 1:1 face verification. The numbers come from
// `gatehouse face calibrate` over the development face sets (faces/ and faces2-dev/, each band
// meeting its false-match target on every set) and are published with their ROC/DET figures in
// docs/FACE.md (a test keeps the two in step).
import { z } from 'zod';

export const verificationThresholdsSchema = z
  .object({
    /** Distance at or below which the faces match (false-match rate ≤ 0.1 % on each development set). */
    match: z.number().positive(),
    /** Distance at or below which an officer decides (false-match rate ≤ 1 % on each set); above it, no match. */
    review: z.number().positive(),
  })
  .refine((t) => t.match <= t.review, { message: 'match must not exceed review' });

export type VerificationThresholds = z.infer<typeof verificationThresholdsSchema>;

export const VERIFICATION_THRESHOLDS: VerificationThresholds = verificationThresholdsSchema.parse({
  match: 0.53,
  review: 0.61,
});
