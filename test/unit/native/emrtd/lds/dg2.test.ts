// DG2 and its ISO/IEC 19794-5 facial record: a DG2 written byte by byte the way passports
// lay it out, with every header field checked; real JPEG and JPEG 2000 portraits (JP2 file and
// bare codestream) extracted and decoded; several instances and faces; typed refusals of
// damaged or foreign content.

import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeDg2, decodeFacialRecord, encodeDg2, encodeFacialRecord, faceHeader, jpeg2000Codestream, portraitFace, type FaceImage,
} from '../../../../../native/emrtd/lds/index.js';
import { errorOf } from './lds-arbitraries.js';

const u16 = (n: number) => [n >>> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** BER length in the form passports use for DG2's big objects: 82 and two bytes above 255. */
const length = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, ...u16(n)]);
const tlv = (tag: number[], value: number[]) => [...tag, ...length(value.length), ...value];

/** A JPEG's first and last bytes around filler: what 19794-5 and DG2 care about. */
const JPEG_STUB = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ...Array.from({ length: 378 }, (_, i) => (i * 37) & 0x7f), 0xff, 0xd9];

function realWorldDg2(image: number[], { looseHeaderLength = false } = {}): number[] {
  const facialInformation = [
    ...u32(20 + 2 * 8 + 12 + image.length), // facial record data length
    ...u16(2), // two feature points
    0x02, // gender: female
    0x03, // eye colour: brown
    0x04, // hair colour: brown
    0x00, 0x00, 0x03, // feature mask: features specified, glasses
    ...u16(1), // expression: neutral
    0x00, 0x00, 0x00, // pose angle yaw, pitch, roll: unspecified
    0x00, 0x00, 0x00, // pose angle uncertainty
  ];
  const featurePoints = [
    0x01, 0xc1, ...u16(160), ...u16(240), 0x00, 0x00, // MPEG-4 12.1: left eye centre
    0x01, 0xc2, ...u16(320), ...u16(240), 0x00, 0x00, // MPEG-4 12.2: right eye centre
  ];
  const imageInformation = [
    0x01, // face image type: full frontal
    0x00, // image data type: JPEG
    ...u16(480), ...u16(640), // width, height
    0x01, // colour space: 24-bit RGB
    0x02, // source type: static photo from a digital still camera
    ...u16(0), // device type
    ...u16(0), // quality
  ];
  const face = [...facialInformation, ...featurePoints, ...imageInformation, ...image];
  const record = [
    0x46, 0x41, 0x43, 0x00, // "FAC\0"
    0x30, 0x31, 0x30, 0x00, // "010\0"
    ...u32(14 + face.length), // record length
    ...u16(1), // one facial image
    ...face,
  ];
  const headerElements = [
    ...tlv([0x80], [0x01, 0x01]), // ICAO header version 1.1
    ...tlv([0x81], [0x02]), // biometric type: facial features
    ...tlv([0x82], [0x00]), // subtype: none
    ...tlv([0x83], [0x20, 0x21, 0x06, 0x15, 0x12, 0x00, 0x00]), // creation date and time
    ...tlv([0x86], [0x00, 0x2b]), // creator of the biometric data
    ...tlv([0x87], [0x01, 0x01]), // format owner: ISO/IEC JTC 1 SC 37
    ...tlv([0x88], [0x00, 0x08]), // format type: face image
  ];
  // Some chips write every length in long form, 81 1F where 1F would do.
  const header = looseHeaderLength ? [0xa1, 0x81, headerElements.length, ...headerElements] : tlv([0xa1], headerElements);
  const template = tlv([0x7f, 0x60], [...header, ...tlv([0x5f, 0x2e], record)]);
  return tlv([0x75], tlv([0x7f, 0x61], [...tlv([0x02], [0x01]), ...template]));
}

describe('a DG2 laid out as passports write it', () => {
  const bytes = Uint8Array.from(realWorldDg2(JPEG_STUB));

  it('uses the long length forms of a real file', () => {
    expect([...bytes.subarray(0, 2)]).toEqual([0x75, 0x82]);
    expect((bytes[2]! << 8) | bytes[3]!).toBe(bytes.length - 4);
  });

  it('yields the portrait and every header field', () => {
    const dg2 = decodeDg2(bytes);
    expect(dg2.instances).toHaveLength(1);
    const [instance] = dg2.instances;
    expect(instance!.formatOwner).toBe(0x0101);
    expect(instance!.formatType).toBe(0x0008);
    expect(instance!.biometricType).toBe(2);
    expect(instance!.dataBlockTag).toBe(0x5f2e);
    expect(instance!.header.map((e) => e.tag)).toEqual([0x80, 0x81, 0x82, 0x83, 0x86, 0x87, 0x88]);
    expect([...instance!.header[3]!.value]).toEqual([0x20, 0x21, 0x06, 0x15, 0x12, 0x00, 0x00]);
    const face = dg2.portrait.face;
    expect(face).toMatchObject({
      gender: 2, eyeColour: 3, hairColour: 4, featureMask: 3, expression: 1,
      poseAngle: { yaw: 0, pitch: 0, roll: 0 }, poseAngleUncertainty: { yaw: 0, pitch: 0, roll: 0 },
      featurePoints: [{ type: 1, code: 0xc1, x: 160, y: 240, reserved: 0 }, { type: 1, code: 0xc2, x: 320, y: 240, reserved: 0 }],
      faceImageType: 1, imageDataType: 0, width: 480, height: 640, colourSpace: 1, sourceType: 2, deviceType: 0, quality: 0,
    });
    expect(dg2.portrait).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect([...dg2.portrait.image]).toEqual(JPEG_STUB);
  });

  it('re-encodes to the same bytes', () => {
    expect(Buffer.from(encodeDg2(decodeDg2(bytes).instances)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('accepts a length written longer than it needs to be (some chips do)', () => {
    const loose = Uint8Array.from(realWorldDg2(JPEG_STUB, { looseHeaderLength: true }));
    expect(loose.length).toBe(bytes.length + 1);
    expect(decodeDg2(loose).portrait).toMatchObject({ width: 480, height: 640 });
  });
});

describe('portrait extraction', () => {
  it('returns a real JPEG that decodes to the size the record states', () => {
    const width = 40;
    const height = 52;
    const data = Buffer.alloc(width * height * 4, 0x80);
    const image = new Uint8Array(jpeg.encode({ data, width, height }, 75).data);
    const dg2 = decodeDg2(encodeDg2([{ record: { faces: [portraitFace(image, width, height)] } }]));
    expect(dg2.portrait.format).toBe('jpeg');
    const decoded = jpeg.decode(Buffer.from(dg2.portrait.image));
    expect([decoded.width, decoded.height]).toEqual([dg2.portrait.width, dg2.portrait.height]);
  });

  describe('JPEG 2000', () => {
    interface OpenJpeg {
      J2KEncoder: new () => {
        getDecodedBuffer(info: object): Uint8Array;
        setQuality(lossless: boolean, quality: number): void;
        setDecompositions(n: number): void;
        encode(): void;
        getEncodedBuffer(): Uint8Array;
      };
      J2KDecoder: new () => {
        getEncodedBuffer(length: number): Uint8Array;
        decode(): void;
        getFrameInfo(): { width: number; height: number };
        getDecodedBuffer(): Uint8Array;
      };
    }
    let openjpeg: OpenJpeg;
    const width = 64;
    const height = 48;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 7) & 0xff);
    let codestream: Uint8Array;

    beforeAll(async () => {
      const require = createRequire(import.meta.url);
      const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (options: object) => Promise<OpenJpeg>;
      openjpeg = await factory({ print: () => undefined, printErr: () => undefined });
      const encoder = new openjpeg.J2KEncoder();
      encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 1, isSigned: false, isUsingColorTransform: false }).set(pixels);
      encoder.setQuality(true, 0);
      encoder.setDecompositions(2);
      encoder.encode();
      codestream = Uint8Array.from(encoder.getEncodedBuffer());
    });

    function decode(stream: Uint8Array) {
      const decoder = new openjpeg.J2KDecoder();
      decoder.getEncodedBuffer(stream.length).set(stream);
      decoder.decode();
      return { ...decoder.getFrameInfo(), pixels: Uint8Array.from(decoder.getDecodedBuffer()) };
    }

    /** A JP2 file (ISO/IEC 15444-1 Annex I): signature, file type, header (ihdr, colr), codestream. */
    function jp2File(stream: Uint8Array): Uint8Array {
      const box = (type: string, body: number[]) => [...u32(8 + body.length), ...Buffer.from(type, 'latin1'), ...body];
      return Uint8Array.from([
        ...box('jP  ', [0x0d, 0x0a, 0x87, 0x0a]),
        ...box('ftyp', [...Buffer.from('jp2 '), 0, 0, 0, 0, ...Buffer.from('jp2 ')]),
        ...box('jp2h', [
          ...box('ihdr', [...u32(height), ...u32(width), ...u16(1), 7, 7, 0, 0]),
          ...box('colr', [1, 0, 0, ...u32(17)]),
        ]),
        ...box('jp2c', [...stream]),
      ]);
    }

    it.each([
      ['a JP2 file', 'jp2'],
      ['a bare codestream', 'j2k'],
    ] as const)('returns %s whose codestream decodes to the portrait', (_label, kind) => {
      const image = kind === 'jp2' ? jp2File(codestream) : codestream;
      const dg2 = decodeDg2(encodeDg2([{ record: { faces: [portraitFace(image, width, height, { colourSpace: 3 })] } }]));
      expect(dg2.portrait.format).toBe(kind);
      expect(dg2.portrait.face.imageDataType).toBe(1);
      const decoded = decode(jpeg2000Codestream(dg2.portrait.image));
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      expect(decoded.pixels).toEqual(pixels);
    });

    it('refuses a JP2 file without its codestream box', () => {
      const file = jp2File(codestream);
      expect(errorOf(() => jpeg2000Codestream(file.subarray(0, file.length - codestream.length - 8)))).toMatchObject({ code: 'LDS_FACE_RECORD_MALFORMED' });
    });
  });

  it('takes the first face of the first instance when there are several', () => {
    const first = portraitFace(Uint8Array.of(0xff, 0xd8, 0xff, 1), 10, 20);
    const second = portraitFace(Uint8Array.of(0xff, 0xd8, 0xff, 2), 30, 40);
    const dg2 = decodeDg2(encodeDg2([{ record: { faces: [first, second] } }, { record: { faces: [second] } }]));
    expect(dg2.instances).toHaveLength(2);
    expect(dg2.instances[0]!.record.faces).toHaveLength(2);
    expect(dg2.portrait).toMatchObject({ width: 10, height: 20 });
    expect([...dg2.portrait.image]).toEqual([0xff, 0xd8, 0xff, 1]);
  });
});

describe('refusing what is not a 19794-5 face', () => {
  const face: FaceImage = portraitFace(Uint8Array.from(JPEG_STUB), 480, 640);
  const record = () => Uint8Array.from(encodeFacialRecord({ faces: [face] }));

  it.each([
    ['format identifier', (r: Uint8Array) => { r[0] = 0x46; r[2] = 0x52; }, 'LDS_FACE_RECORD_MALFORMED'],
    ['version 030 (2011 edition)', (r: Uint8Array) => { r[5] = 0x33; }, 'LDS_FACE_RECORD_UNSUPPORTED'],
    ['record length', (r: Uint8Array) => { r[11]! += 1; }, 'LDS_FACE_RECORD_MALFORMED'],
    ['zero facial images', (r: Uint8Array) => { r[13] = 0; }, 'LDS_FACE_RECORD_MALFORMED'],
    ['block length beyond the record', (r: Uint8Array) => { r[17]! += 1; }, 'LDS_FACE_RECORD_MALFORMED'],
    ['image data type 2', (r: Uint8Array) => { r[14 + 21] = 2; }, 'LDS_FACE_RECORD_UNSUPPORTED'],
    ['declared JPEG 2000, data JPEG', (r: Uint8Array) => { r[14 + 21] = 1; }, 'LDS_FACE_RECORD_MALFORMED'],
    ['image that is neither JPEG nor JPEG 2000', (r: Uint8Array) => { r[14 + 32] = 0x00; }, 'LDS_FACE_RECORD_MALFORMED'],
  ])('refuses a damaged %s', (_field, damage, code) => {
    const r = record();
    damage(r);
    expect(errorOf(() => decodeFacialRecord(r))).toMatchObject({ code });
  });

  it('refuses a header that declares another biometric format', () => {
    const header = faceHeader().map((e) => (e.tag === 0x88 ? { ...e, value: Uint8Array.of(0x00, 0x07) } : e));
    const bytes = encodeDg2([{ header, record: { faces: [face] } }]);
    expect(errorOf(() => decodeDg2(bytes))).toMatchObject({ code: 'LDS_FACE_RECORD_UNSUPPORTED', details: { formatOwner: 0x0101, formatType: 0x0007 } });
  });

  it('refuses a count that disagrees with the templates', () => {
    const bytes = Uint8Array.from(encodeDg2([{ record: { faces: [face] } }]));
    bytes[bytes.indexOf(0x02, 4) + 2] = 2; // 02 01 01 → 02 01 02
    expect(errorOf(() => decodeDg2(bytes))).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG2', declared: 2, found: 1 } });
  });

  it('refuses another file given as DG2', () => {
    expect(errorOf(() => decodeDg2(Uint8Array.of(0x61, 0x00)))).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG2', tag: 0x61 } });
  });

  it('will not write an image under the wrong type', () => {
    expect(() => encodeFacialRecord({ faces: [{ ...face, imageDataType: 1 }] })).toThrow(RangeError);
    expect(() => encodeFacialRecord({ faces: [{ ...face, width: 70_000 }] })).toThrow(RangeError);
  });
});
