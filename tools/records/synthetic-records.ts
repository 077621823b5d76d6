// Synthetic enrollment records for load tests and benchmarks (`gatehouse enroll --synthetic N`):
// the parts a person enrollment carries, at realistic sizes, filled with random bytes (as
// incompressible as JPEG and PNG data), and JSON that says plainly it is synthetic.
import { randomBytes } from 'node:crypto';
import type { EnrollmentRecord } from '../../main/sync/record-sealer.js';

/** Bytes per part of a realistic record (≈ 300 KB in all): a live and a document portrait, two fingers. */
const REALISTIC_PARTS: ReadonlyArray<[name: string, bytes: number]> = [
  ['portrait-live.jpg', 120_000],
  ['portrait-document.jpg', 30_000],
  ['finger-2.iso', 72_000],
  ['finger-7.iso', 72_000],
  ['template-2.bin', 512],
  ['template-7.bin', 512],
];

export type SyntheticSize = 'realistic' | 'small';

export function syntheticRecord(index: number, size: SyntheticSize = 'realistic'): EnrollmentRecord {
  const scale = size === 'realistic' ? 1 : 1 / 1000;
  return {
    kind: 'synthetic.person-enrollment',
    enrollmentId: null,
    json: {
      synthetic: true,
      index,
      person: { surname: 'SYNTHETIC', givenNames: `TEST ${index}`, birthDate: '1990-01-01', nationality: 'UTO' },
      document: { type: 'TD3', issuingState: 'UTO', expiryDate: '2035-12-31' },
      face: { decision: 'match', distance: 0.31, model: 'synthetic' },
      fingers: [{ position: 2, quality: 71 }, { position: 7, quality: 64 }],
      consent: { textVersion: 'synthetic-1', language: 'en' },
    },
    parts: REALISTIC_PARTS.map(([name, bytes]) => ({ name, bytes: randomBytes(Math.max(1, Math.round(bytes * scale))) })),
  };
}
