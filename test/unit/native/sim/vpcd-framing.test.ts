import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeVpcdFrame, parseVpcdRequest, VPCD_MAX_PAYLOAD, VpcdFrameDecoder,
} from '../../../../native/sim/vpcd-framing.js';
import { splitArbitrary, splitBytes } from '../idreader/cnid/split-bytes.js';

const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

describe('vpcd framing', () => {
  it('prefixes a 2-byte big-endian length', () => {
    expect(hex(encodeVpcdFrame(Uint8Array.of(0x04)))).toBe('000104');
    expect(hex(encodeVpcdFrame(new Uint8Array(0)))).toBe('0000');
    expect(hex(encodeVpcdFrame(new Uint8Array(0x1234)).subarray(0, 2))).toBe('1234');
    expect(encodeVpcdFrame(new Uint8Array(VPCD_MAX_PAYLOAD))).toHaveLength(0x10001);
    expect(() => encodeVpcdFrame(new Uint8Array(VPCD_MAX_PAYLOAD + 1)))
      .toThrow(expect.objectContaining({ code: 'VPCD_FRAME_TOO_LONG' }));
  });

  it('reads 1-byte messages as control codes and longer ones as APDUs', () => {
    expect([0, 1, 2, 4].map((code) => parseVpcdRequest(Uint8Array.of(code)).kind))
      .toEqual(['power-off', 'power-on', 'reset', 'get-atr']);
    expect(parseVpcdRequest(Uint8Array.of(3))).toEqual({ kind: 'unknown-control', code: 3 });
    expect(parseVpcdRequest(new Uint8Array(0))).toEqual({ kind: 'empty' });
    const apdu = parseVpcdRequest(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08));
    expect(apdu.kind === 'apdu' && hex(apdu.apdu)).toBe('0084000008');
  });

  it('decodes any sequence of messages however the stream is split', () => {
    const message = fc.oneof(
      fc.uint8Array({ maxLength: 1 }),
      fc.uint8Array({ minLength: 2, maxLength: 300 }),
      fc.uint8Array({ minLength: 250, maxLength: 1200 }),
    );
    fc.assert(fc.property(fc.array(message, { maxLength: 12 }), splitArbitrary, (messages, split) => {
      const stream = concat(messages.map(encodeVpcdFrame));
      const decoder = new VpcdFrameDecoder();
      const decoded = splitBytes(stream, split).flatMap((chunk) => decoder.push(chunk));
      expect(decoded.map(hex)).toEqual(messages.map(hex));
      expect(decoder.pendingBytes).toBe(0);
    }));
  });

  it('holds back an incomplete message until the rest arrives', () => {
    const decoder = new VpcdFrameDecoder();
    const frame = encodeVpcdFrame(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c));
    expect(decoder.push(frame.subarray(0, 1))).toEqual([]);
    expect(decoder.push(frame.subarray(1, 4))).toEqual([]);
    expect(decoder.pendingBytes).toBe(4);
    expect(decoder.push(frame.subarray(4)).map(hex)).toEqual(['00a4040c']);
  });

  it('decodes the largest message, split at every byte boundary of its header', () => {
    const payload = Uint8Array.from({ length: VPCD_MAX_PAYLOAD }, (_, index) => index & 0xff);
    const frame = encodeVpcdFrame(payload);
    for (const cut of [1, 2, 3, 40_000]) {
      const decoder = new VpcdFrameDecoder();
      const decoded = [...decoder.push(frame.subarray(0, cut)), ...decoder.push(frame.subarray(cut))];
      expect(decoded).toHaveLength(1);
      expect(hex(decoded[0] as Uint8Array)).toBe(hex(payload));
    }
  });
});
