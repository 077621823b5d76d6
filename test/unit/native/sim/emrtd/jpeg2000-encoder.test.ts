// JPEG 2000 portraits for the virtual chip: the JP2 boxes laid out as ISO/IEC 15444-1 Annex I
// says, the bare codestream the same one the JP2 file carries, lossless encodings that
// OpenJPEG's decoder gives back sample for sample, and a passport whose DG2 carries one and
// the kiosk turns into a JPEG.

import { describe, expect, it } from 'vitest';
import createOpenJpeg from '@cornerstonejs/codec-openjpeg/wasmjs';
import { decodeDg2 } from '../../../../../native/emrtd/lds/index.js';
import { portraitJpeg } from '../../../../../native/emrtd/portrait-image.js';
import { encodeJpeg2000 } from '../../../../../native/sim/emrtd/jpeg2000-encoder.js';
import { createTestPki } from '../../../../../native/sim/emrtd/test-pki.js';
import { buildTestPassport } from '../../../../../native/sim/emrtd/test-passport.js';

const WIDTH = 40;
const HEIGHT = 56;
const rgb = Uint8Array.from({ length: WIDTH * HEIGHT * 3 }, (_, i) => (i * 7 + (i >> 6)) & 0xff);

/** Top-level or child boxes as [type, body]. */
function boxes(bytes: Uint8Array): [string, Uint8Array][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [string, Uint8Array][] = [];
  for (let at = 0; at < bytes.length;) {
    const length = view.getUint32(at);
    out.push([Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1'), bytes.subarray(at + 8, at + length)]);
    at += length;
  }
  return out;
}

const codec = await createOpenJpeg({ print: () => {}, printErr: () => {} });

function decode(image: Uint8Array) {
  const decoder = new codec.J2KDecoder();
  try {
    decoder.getEncodedBuffer(image.length).set(image);
    decoder.decode();
    return { frame: decoder.getFrameInfo(), samples: Uint8Array.from(decoder.getDecodedBuffer()) };
  } finally {
    decoder.delete();
  }
}

describe('encodeJpeg2000', () => {
  it('writes a JP2 file: signature, file type, header (ihdr, colr) and the codestream', async () => {
    const jp2 = await encodeJpeg2000(rgb, WIDTH, HEIGHT);
    const top = boxes(jp2);
    expect(top.map(([type]) => type)).toEqual(['jP  ', 'ftyp', 'jp2h', 'jp2c']);
    expect(Buffer.from(jp2.subarray(0, 12)).toString('hex')).toBe('0000000c6a5020200d0a870a');
    expect(Buffer.from(top[1]![1]).toString('latin1')).toBe('jp2 \0\0\0\0jp2 ');
    const header = boxes(top[2]![1]);
    expect(header.map(([type]) => type)).toEqual(['ihdr', 'colr']);
    const hex32 = (n: number) => n.toString(16).padStart(8, '0');
    // height, width, 3 components, 8 bits unsigned (7), compression 7, colour space known (0), no IPR (0)
    expect(Buffer.from(header[0]![1]).toString('hex')).toBe(`${hex32(HEIGHT)}${hex32(WIDTH)}000307070000`);
    expect(Buffer.from(header[1]![1]).toString('hex')).toBe('01000000000010'); // enumerated, sRGB (16)
    const codestream = top[3]![1];
    expect(Buffer.from(codestream.subarray(0, 4)).toString('hex')).toBe('ff4fff51');
    expect(Buffer.from(codestream.subarray(-2)).toString('hex')).toBe('ffd9');
    expect(Buffer.from(await encodeJpeg2000(rgb, WIDTH, HEIGHT, { container: 'j2k' })).equals(Buffer.from(codestream))).toBe(true);
  });

  it('declares greyscale and the bit depth in the JP2 header', async () => {
    const grey = Uint16Array.from({ length: WIDTH * HEIGHT }, (_, i) => (i * 97) & 0xfff);
    const [, , [, jp2h]] = boxes(await encodeJpeg2000(grey, WIDTH, HEIGHT, { components: 1, bitsPerSample: 12 }));
    const [[, ihdr], [, colr]] = boxes(jp2h!);
    expect([...ihdr!.subarray(8, 11)]).toEqual([0, 1, 11]);
    expect(new DataView(colr!.buffer, colr!.byteOffset).getUint32(3)).toBe(17);
  });

  it('encodes losslessly when asked: OpenJPEG gives back every sample, colour and 12-bit grey', async () => {
    const colour = decode(await encodeJpeg2000(rgb, WIDTH, HEIGHT, { compressionRatio: 0 }));
    expect(colour.frame).toEqual({ width: WIDTH, height: HEIGHT, bitsPerSample: 8, componentCount: 3, isSigned: false });
    expect(Buffer.from(colour.samples).equals(Buffer.from(rgb))).toBe(true);
    const grey = Uint16Array.from({ length: WIDTH * HEIGHT }, (_, i) => (i * 97) & 0xfff);
    const decoded = decode(await encodeJpeg2000(grey, WIDTH, HEIGHT, { components: 1, bitsPerSample: 12, compressionRatio: 0, container: 'j2k' }));
    expect(decoded.frame.bitsPerSample).toBe(12);
    expect([...new Uint16Array(decoded.samples.buffer)]).toEqual([...grey]);
  });

  it('compresses by about the ratio asked for', async () => {
    const smooth = Uint8Array.from({ length: 200 * 200 * 3 }, (_, i) => ((i / 3) % 200) + (Math.floor(i / 600) >> 2));
    const image = await encodeJpeg2000(smooth, 200, 200, { compressionRatio: 20, container: 'j2k' });
    expect(image.length).toBeLessThan((smooth.length / 20) * 1.2);
  });

  it('refuses samples that do not fit the size, 16-bit colour, or the wrong array type', async () => {
    await expect(encodeJpeg2000(rgb.subarray(1), WIDTH, HEIGHT)).rejects.toThrow(RangeError);
    await expect(encodeJpeg2000(new Uint16Array(WIDTH * HEIGHT * 3), WIDTH, HEIGHT, { bitsPerSample: 16 })).rejects.toThrow(/16-bit samples cannot be encoded with 3 components/);
    await expect(encodeJpeg2000(rgb, WIDTH, HEIGHT, { bitsPerSample: 12 })).rejects.toThrow(RangeError);
    await expect(encodeJpeg2000(new Uint16Array(WIDTH * HEIGHT), WIDTH, HEIGHT, { components: 1 })).rejects.toThrow(/Uint8Array/);
  });

  it('gives the virtual chip a JPEG 2000 portrait that the kiosk turns into a JPEG', async () => {
    const jp2 = await encodeJpeg2000(rgb, WIDTH, HEIGHT);
    const pki = createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
    const passport = buildTestPassport({ documentSigner: pki.documentSigners.p256, portrait: { image: jp2, width: WIDTH, height: HEIGHT } });
    const portrait = decodeDg2(passport.dataGroups.get(2)!).portrait;
    expect(portrait.format).toBe('jp2');
    expect(await portraitJpeg({ format: 'jpeg2000', bytes: portrait.image })).toMatchObject({ width: WIDTH, height: HEIGHT, converted: true });
  });
});
