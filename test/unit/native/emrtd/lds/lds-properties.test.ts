// Properties every LDS codec keeps: encode → decode gives back what was encoded; a file cut
// short is refused with a typed error; a file with any bit flipped is either refused with a
// typed error or decoded into something that re-encodes to exactly the damaged bytes (the
// decoder is faithful, so a damaged file can never pass as the original) — save where the
// flip wrote a length in more bytes than it needs, which the reader accepts and the writer
// shortens. Every codec is also
// fed the same file split at every position as the chip session would assemble it.

import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDg1, decodeDg11, decodeDg12, decodeDg14, decodeDg15, decodeDg2, decodeEfCom,
  encodeDg1, encodeDg11, encodeDg12, encodeDg14, encodeDg15, encodeDg2, encodeEfCom,
} from '../../../../../native/emrtd/lds/index.js';
import { bytes, dg11Fields, dg12Fields, dg2Input, efComInput, errorOf, expectTypedLdsError, mrzLines } from './lds-arbitraries.js';

interface Codec<T> {
  name: string;
  input: fc.Arbitrary<T>;
  encode: (input: T) => Uint8Array;
  /** Decodes and re-encodes (the faithful round trip). */
  reencode: (bytes: Uint8Array) => Uint8Array;
  /** Decodes and compares with the input. */
  check: (input: T, bytes: Uint8Array) => void;
}

/**
 * Whether a BER length written longer than needed (81 00–7F, 82 00xx, …) covers byte `at`.
 * Such a length reads the same value as its short form, so re-encoding shortens it.
 */
function longLengthCovers(bytes: Uint8Array, at: number): boolean {
  for (let start = Math.max(0, at - 4); start <= at; start++) {
    const count = bytes[start]! - 0x80;
    if (count < 1 || count > 4 || start + count < at || start + count >= bytes.length) continue;
    const value = bytes.subarray(start + 1, start + 1 + count).reduce((n, b) => n * 256 + b, 0);
    if (value < 0x80 || bytes[start + 1] === 0) return true;
  }
  return false;
}

/** Erases a codec's input type so the table can hold them all. */
const codec = <T,>(c: Codec<T>): Codec<unknown> => c as unknown as Codec<unknown>;

const NOW = new Date('2024-06-15T12:00:00Z');
/** Active Authentication keys as DG15 holds them: EC P-256 and RSA 1024. */
const spki = fc.constantFrom(
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey,
  generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
).map((key) => new Uint8Array(key.export({ type: 'spki', format: 'der' })));

const securityInfos = bytes(0, 30).map((tail) => Uint8Array.from([0x31, tail.length + 2, 0x04, tail.length, ...tail]));

const CODECS: Codec<unknown>[] = [
  codec({
    name: 'EF.COM',
    input: efComInput,
    encode: encodeEfCom,
    reencode: (b) => encodeEfCom(decodeEfCom(b)),
    check: (input, b) => expect(decodeEfCom(b)).toEqual(input),
  }),
  codec({
    name: 'DG1',
    input: mrzLines,
    encode: encodeDg1,
    reencode: (b) => encodeDg1(decodeDg1(b, { now: NOW }).lines),
    check: (lines, b) => {
      const dg1 = decodeDg1(b, { now: NOW });
      expect(dg1.lines).toEqual(lines);
      expect(dg1.mrz).toBe(lines.join(''));
      expect(dg1.parsed.valid).toBe(true);
    },
  }),
  codec({
    name: 'DG2',
    input: dg2Input,
    encode: encodeDg2,
    reencode: (b) => encodeDg2(decodeDg2(b).instances),
    check: (instances, b) => {
      const dg2 = decodeDg2(b);
      expect(dg2.instances.map(({ header, dataBlockTag, record }) => ({ header, dataBlockTag, record }))).toEqual(instances);
      expect(dg2.portrait.image).toEqual(instances[0]!.record.faces[0]!.image);
    },
  }),
  codec({
    name: 'DG11',
    input: dg11Fields,
    encode: (fields) => encodeDg11(fields),
    reencode: (b) => {
      const dg11 = decodeDg11(b);
      return encodeDg11(dg11.fields, dg11.tagList);
    },
    check: (fields, b) => {
      const decoded = decodeDg11(b).fields;
      expect(decoded.map((f) => ({ value: f.value, ...(f.kind === 'text' ? { encoding: f.encoding } : {}) })))
        .toEqual(fields.map((f) => ({ value: f.value, ...(typeof f.value === 'string' ? { encoding: f.encoding } : {}) })));
      fields.forEach((f, i) => expect(f.name ?? f.tag).toBe(f.name ? decoded[i]!.name : decoded[i]!.tag));
    },
  }),
  codec({
    name: 'DG12',
    input: dg12Fields,
    encode: (fields) => encodeDg12(fields),
    reencode: (b) => {
      const dg12 = decodeDg12(b);
      return encodeDg12(dg12.fields, dg12.tagList);
    },
    check: (fields, b) => {
      const decoded = decodeDg12(b).fields;
      expect(decoded.map((f) => f.value)).toEqual(fields.map((f) => f.value));
    },
  }),
  codec({
    name: 'DG14',
    input: securityInfos,
    encode: encodeDg14,
    reencode: (b) => encodeDg14(decodeDg14(b).securityInfos),
    check: (input, b) => expect(decodeDg14(b).securityInfos).toEqual(input),
  }),
  codec({
    name: 'DG15',
    input: spki,
    encode: encodeDg15,
    reencode: (b) => encodeDg15(decodeDg15(b).subjectPublicKeyInfo),
    check: (input, b) => expect(decodeDg15(b).subjectPublicKeyInfo).toEqual(input),
  }),
];

describe.each(CODECS.map((c) => [c.name, c] as const))('%s codec', (_name, codec) => {
  it('decodes what it encodes', () => {
    fc.assert(fc.property(codec.input, (input) => {
      codec.check(input, codec.encode(input));
    }), { numRuns: 150 });
  });

  it('re-encodes a decoded file to the same bytes', () => {
    fc.assert(fc.property(codec.input, (input) => {
      const encoded = codec.encode(input);
      expect(Buffer.from(codec.reencode(encoded)).equals(Buffer.from(encoded))).toBe(true);
    }), { numRuns: 100 });
  });

  it('refuses every truncation with a typed error', () => {
    fc.assert(fc.property(codec.input, fc.nat(), (input, cut) => {
      const encoded = codec.encode(input);
      expectTypedLdsError(errorOf(() => codec.reencode(encoded.subarray(0, cut % encoded.length))));
    }), { numRuns: 200 });
  });

  it('refuses a file with bytes after its data object', () => {
    fc.assert(fc.property(codec.input, bytes(1, 4), (input, tail) => {
      expectTypedLdsError(errorOf(() => codec.reencode(Uint8Array.from([...codec.encode(input), ...tail]))));
    }), { numRuns: 50 });
  });

  it('answers a flipped bit with a typed error or a faithful reading, never a crash', () => {
    fc.assert(fc.property(codec.input, fc.nat(), fc.integer({ min: 0, max: 7 }), (input, at, bit) => {
      const damaged = Uint8Array.from(codec.encode(input));
      damaged[at % damaged.length]! ^= 1 << bit;
      let reencoded: Uint8Array | undefined;
      const error = errorOf(() => {
        reencoded = codec.reencode(damaged);
      });
      if (error !== undefined) expectTypedLdsError(error);
      else if (!Buffer.from(reencoded!).equals(Buffer.from(damaged))) {
        expect(longLengthCovers(damaged, at % damaged.length)).toBe(true);
        expect(Buffer.from(codec.reencode(reencoded!)).equals(Buffer.from(reencoded!))).toBe(true);
      }
    }), { numRuns: 400 });
  });

  it('reads the same file however the session assembled it from chunks', () => {
    fc.assert(fc.property(codec.input, fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
      const encoded = codec.encode(input);
      const points = [...new Set(cuts.map((c) => c % (encoded.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points, encoded.length].slice(1).map((end, i, all) => encoded.slice(i === 0 ? 0 : all[i - 1], end));
      expect(Buffer.from(codec.reencode(Buffer.concat(chunks))).equals(Buffer.from(encoded))).toBe(true);
    }), { numRuns: 30 });
  });
});
