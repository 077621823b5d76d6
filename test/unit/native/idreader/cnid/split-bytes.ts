// How a property test feeds a byte stream to a streaming decoder: in one chunk, byte by
// byte, or cut at arbitrary points.

import fc from 'fast-check';

export type Split = 'whole' | 'bytes' | readonly number[];

export const splitArbitrary: fc.Arbitrary<Split> = fc.oneof(
  fc.constant('whole' as const),
  fc.constant('bytes' as const),
  fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
);

export function splitBytes(bytes: Uint8Array, split: Split): Uint8Array[] {
  if (split === 'whole') return [bytes];
  if (split === 'bytes') return Array.from(bytes, (byte) => Uint8Array.of(byte));
  const cuts = [...new Set(split.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...cuts].map((start, index) => bytes.subarray(start, [...cuts, bytes.length][index]));
}
