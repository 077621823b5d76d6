import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeSamRequest, encodeSamResponse, parseSamRequest, parseSamResponse, SAM_PREAMBLE, SamFrameDecoder,
  type SamResponse,
} from '../../../../../native/idreader/cnid/sam-frame.js';
import { splitArbitrary, splitBytes } from './split-bytes.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function containsPreamble(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).includes(Buffer.from(SAM_PREAMBLE));
}

const responseArbitrary: fc.Arbitrary<SamResponse> = fc.record({
  sw1: fc.integer({ min: 0, max: 255 }),
  sw2: fc.integer({ min: 0, max: 255 }),
  sw3: fc.integer({ min: 0, max: 255 }),
  data: fc.uint8Array({ maxLength: 300 }),
}).filter((response) => !containsPreamble(response.data));

const garbageArbitrary = fc.uint8Array({ maxLength: 24 }).filter((garbage) => !containsPreamble(garbage));

function decodeAll(decoder: SamFrameDecoder<SamResponse>, chunks: Uint8Array[]) {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe('SAM frame encoding', () => {
  it('encodes the find-card request byte for byte', () => {
    expect(encodeSamRequest({ command: 0x20, parameter: 0x01, data: new Uint8Array(0) }))
      .toEqual(hex('AA AA AA 96 69 00 03 20 01 22'));
  });

  it('encodes the find-card success reply as readers send it', () => {
    expect(encodeSamResponse({ sw1: 0, sw2: 0, sw3: 0x9f, data: new Uint8Array(4) }))
      .toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
  });

  it('decodes a request and a response', () => {
    const requests = new SamFrameDecoder(parseSamRequest).push(hex('AA AA AA 96 69 00 03 12 FF EE'));
    expect(requests).toEqual([{ frame: { command: 0x12, parameter: 0xff, data: new Uint8Array(0) } }]);
    const responses = new SamFrameDecoder(parseSamResponse)
      .push(hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'));
    expect(responses).toEqual([{ frame: { sw1: 0, sw2: 0, sw3: 0x90, data: new Uint8Array(8) } }]);
  });
});

describe('SamFrameDecoder', () => {
  it('yields the same frames whole, byte by byte and in random splits, with garbage between', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(garbageArbitrary, responseArbitrary), { minLength: 1, maxLength: 5 }),
      garbageArbitrary,
      splitArbitrary,
      (pairs, trailing, split) => {
        const stream = Buffer.concat([...pairs.flatMap(([garbage, response]) => [garbage, encodeSamResponse(response)]), trailing]);
        const decoded = decodeAll(new SamFrameDecoder(parseSamResponse), splitBytes(stream, split));
        expect(decoded).toEqual(pairs.map(([, response]) => ({ frame: response })));
      },
    ));
  });

  it('rejects a frame whose checksum is corrupted, then keeps decoding', () => {
    fc.assert(fc.property(
      responseArbitrary, responseArbitrary, fc.integer({ min: 1, max: 255 }), splitArbitrary,
      (bad, good, flip, split) => {
        const corrupted = encodeSamResponse(bad);
        corrupted[corrupted.length - 1] ^= flip;
        const stream = Buffer.concat([corrupted, encodeSamResponse(good)]);
        const decoded = decodeAll(new SamFrameDecoder(parseSamResponse), splitBytes(stream, split));
        expect(decoded.filter((item) => 'error' in item).map((item) => 'error' in item && item.error.code))
          .toEqual(['SAM_FRAME_CHECKSUM']);
        expect(decoded.at(-1)).toEqual({ frame: good });
      },
    ));
  });

  it('rejects any single corrupted byte after the length field', () => {
    fc.assert(fc.property(responseArbitrary, fc.nat(), fc.integer({ min: 1, max: 255 }), (response, at, flip) => {
      const frame = encodeSamResponse(response);
      const header = SAM_PREAMBLE.length + 2;
      frame[header + (at % (frame.length - header))] ^= flip;
      expect(new SamFrameDecoder(parseSamResponse).push(frame))
        .toEqual([{ error: expect.objectContaining({ code: 'SAM_FRAME_CHECKSUM' }) }]);
    }));
  });

  it('rejects absurd lengths and finds the next frame', () => {
    const good: SamResponse = { sw1: 0, sw2: 0, sw3: 0x90, data: Uint8Array.of(1, 2, 3) };
    for (const length of ['00 00', 'FF FF', '10 01']) {
      const decoded = new SamFrameDecoder(parseSamResponse)
        .push(Buffer.concat([hex(`AA AA AA 96 69 ${length} 00 00 90`), encodeSamResponse(good)]));
      expect(decoded).toEqual([{ error: expect.objectContaining({ code: 'SAM_FRAME_LENGTH' }) }, { frame: good }]);
    }
  });

  it('reports a well-formed frame too short for a response', () => {
    expect(new SamFrameDecoder(parseSamResponse).push(hex('AA AA AA 96 69 00 03 00 90 93')))
      .toEqual([{ error: expect.objectContaining({ code: 'SAM_FRAME_SHORT' }) }]);
  });

  it('waits for the rest of a split frame and forgets it on reset()', () => {
    const frame = encodeSamResponse({ sw1: 0, sw2: 0, sw3: 0x90, data: new Uint8Array(10) });
    const decoder = new SamFrameDecoder(parseSamResponse);
    expect(decoder.push(frame.subarray(0, 12))).toEqual([]);
    decoder.reset();
    expect(decoder.push(frame.subarray(12))).toEqual([]);
    expect(decoder.push(frame)).toHaveLength(1);
  });
});
