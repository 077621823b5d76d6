// Property tests for the R30x packet codec: round trip, arbitrary splits across reads,
// noise between packets, damaged checksums and impossible length fields.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeR30xPacket, R30xPacketDecoder, R30xPid, type R30xDecoded, type R30xPacket,
} from '../../../../native/fingerprint/r30x-packet.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const packetArb: fc.Arbitrary<R30xPacket> = fc.record({
  address: fc.integer({ min: 0, max: 0xffffffff }),
  pid: fc.constantFrom(R30xPid.Command, R30xPid.Data, R30xPid.Ack, R30xPid.EndData),
  payload: fc.uint8Array({ maxLength: 256 }),
});

/** Noise that cannot itself contain a header (nothing could tell that from a packet). */
const noiseArb = fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.map((b) => (b === 0xef ? 0xee : b)));

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.slice(from, point));
    from = point;
  }
  return pieces;
}

function decodeAll(pieces: Uint8Array[]): R30xDecoded[] {
  const decoder = new R30xPacketDecoder();
  return pieces.flatMap((piece) => decoder.push(piece));
}

function packetsOf(results: R30xDecoded[]): R30xPacket[] {
  return results.flatMap((r) => (r.kind === 'packet' ? [r.packet] : []));
}

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe('R30x packet codec', () => {
  it('encodes the datasheet examples byte for byte', () => {
    const address = 0xffffffff;
    expect(hex(encodeR30xPacket({ address, pid: R30xPid.Command, payload: Uint8Array.of(0x01) })))
      .toBe('ef01ffffffff010003010005');
    expect(hex(encodeR30xPacket({ address, pid: R30xPid.Command, payload: Uint8Array.of(0x13, 0, 0, 0, 0) })))
      .toBe('ef01' + 'ffffffff' + '01' + '0007' + '13' + '00000000' + '001b');
  });

  it('round-trips any packet', () => {
    fc.assert(fc.property(packetArb, (packet) => {
      expect(decodeAll([encodeR30xPacket(packet)])).toEqual([{ kind: 'packet', packet }]);
    }));
  });

  it('decodes packets split at arbitrary points, including one byte at a time', () => {
    fc.assert(fc.property(fc.array(packetArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat()), (packets, cuts) => {
      const stream = concat(packets.map(encodeR30xPacket));
      expect(packetsOf(decodeAll(splitAt(stream, cuts)))).toEqual(packets);
      expect(packetsOf(decodeAll([...stream].map((b) => Uint8Array.of(b))))).toEqual(packets);
    }));
  });

  it('skips noise before, between and after packets', () => {
    fc.assert(fc.property(fc.array(fc.tuple(noiseArb, packetArb), { minLength: 1, maxLength: 5 }), noiseArb, fc.array(fc.nat()),
      (items, tail, cuts) => {
        const stream = concat([...items.flatMap(([noise, packet]) => [noise, encodeR30xPacket(packet)]), tail]);
        const results = decodeAll(splitAt(stream, cuts));
        expect(results.every((r) => r.kind === 'packet')).toBe(true);
        expect(packetsOf(results)).toEqual(items.map(([, packet]) => packet));
      }));
  });

  it('reports a damaged checksum as a typed error and goes on with the next packet', () => {
    fc.assert(fc.property(fc.array(packetArb, { minLength: 2, maxLength: 5 }), fc.nat(), fc.integer({ min: 1, max: 0xffff }), fc.array(fc.nat()),
      (packets, which, flip, cuts) => {
        const damaged = which % packets.length;
        const frames = packets.map(encodeR30xPacket);
        const frame = frames[damaged]!;
        const at = frame.length - 2;
        const sum = ((frame[at]! << 8) | frame[at + 1]!) ^ flip;
        frame[at] = sum >> 8;
        frame[at + 1] = sum & 0xff;
        const results = decodeAll(splitAt(concat(frames), cuts));
        expect(results).toHaveLength(packets.length);
        const bad = results[damaged];
        expect(bad?.kind).toBe('error');
        expect(bad?.kind === 'error' && bad.error.code).toBe('R30X_BAD_CHECKSUM');
        expect(packetsOf(results)).toEqual(packets.filter((_, i) => i !== damaged));
      }));
  });

  it('rejects a length field above 258 and resynchronises on the next header', () => {
    const good = encodeR30xPacket({ address: 1, pid: R30xPid.Ack, payload: Uint8Array.of(0) });
    const tooLong = Uint8Array.of(0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03);
    const results = decodeAll([concat([tooLong, good])]);
    expect(results.map((r) => (r.kind === 'error' ? r.error.code : 'packet'))).toEqual(['R30X_BAD_LENGTH', 'packet']);
  });

  it('refuses to encode a payload longer than 256 bytes', () => {
    expect(() => encodeR30xPacket({ address: 0, pid: R30xPid.Data, payload: new Uint8Array(257) }))
      .toThrow(expect.objectContaining({ code: 'R30X_PAYLOAD_TOO_LONG' }));
  });
});
