// ISO/IEC 19794-4:2005 finger image records: the byte layout, round trips of arbitrary
// records with real PNG data, and typed errors for damaged or truncated records.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeFingerImageRecord, encodeFingerImageRecord, FingerPosition, type FingerImageRecord, type FingerImageView,
} from '../../../../native/fingerprint/iso19794-4.js';
import { decodeGreyPng, encodeGreyPng } from '../../../../native/fingerprint/finger-image.js';
import { DeviceError } from '../../../../native/device-error.js';

const pngArb = fc.record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }), seed: fc.nat() })
  .map(({ width, height, seed }) => ({
    width, height,
    imageData: encodeGreyPng({ width, height, pixels: Uint8Array.from({ length: width * height }, (_, i) => (i * 31 + seed) & 0xff) }),
  }));

const viewArb: fc.Arbitrary<FingerImageView> = fc.record({
  png: pngArb,
  position: fc.integer({ min: 0, max: 15 }),
  viewCount: fc.integer({ min: 1, max: 4 }),
  viewPick: fc.nat(),
  quality: fc.integer({ min: 0, max: 100 }),
  impressionType: fc.constantFrom(0, 1, 2, 3, 8),
}).map(({ png, viewPick, ...rest }) => ({ ...rest, ...png, viewNumber: (viewPick % rest.viewCount) + 1 }));

const resolutionArb = fc.record({ horizontal: fc.integer({ min: 1, max: 0xffff }), vertical: fc.integer({ min: 1, max: 0xffff }) });

const recordArb: fc.Arbitrary<FingerImageRecord> = fc.record({
  captureDeviceId: fc.integer({ min: 0, max: 0xffff }),
  acquisitionLevel: fc.constantFrom(10, 20, 30, 31, 40, 41),
  scaleUnits: fc.constantFrom('ppi' as const, 'ppcm' as const),
  scanResolution: resolutionArb,
  imageResolution: resolutionArb,
  pixelDepth: fc.integer({ min: 1, max: 16 }),
  compression: fc.constant('png' as const),
  views: fc.array(viewArb, { minLength: 1, maxLength: 4 }),
});

const sample = (): FingerImageRecord => ({
  captureDeviceId: 0,
  acquisitionLevel: 31,
  scaleUnits: 'ppi',
  scanResolution: { horizontal: 500, vertical: 500 },
  imageResolution: { horizontal: 500, vertical: 500 },
  pixelDepth: 8,
  compression: 'png',
  views: [{
    position: FingerPosition.rightIndex, viewCount: 1, viewNumber: 1, quality: 87, impressionType: 0,
    width: 2, height: 3, imageData: encodeGreyPng({ width: 2, height: 3, pixels: Uint8Array.of(0, 17, 34, 51, 68, 85) }),
  }],
});

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('ISO/IEC 19794-4:2005 finger image record', () => {
  it('lays out the general and finger image headers byte for byte', () => {
    const record = sample();
    const bytes = encodeFingerImageRecord(record);
    const png = record.views[0]!.imageData;
    const total = 32 + 14 + png.length;
    expect(bytes.length).toBe(total);
    const hex = Buffer.from(bytes.subarray(0, 46)).toString('hex');
    expect(hex).toBe([
      '46495200', '30313000', total.toString(16).padStart(12, '0'), '0000', '001f', '01', '01',
      '01f4', '01f4', '01f4', '01f4', '08', '05', '0000',
      (14 + png.length).toString(16).padStart(8, '0'), '02', '01', '01', '57', '00', '0002', '0003', '00',
    ].join(''));
    expect(Buffer.from(bytes.subarray(46)).equals(Buffer.from(png))).toBe(true);
    expect(decodeGreyPng(decodeFingerImageRecord(bytes).views[0]!.imageData).pixels).toEqual(Uint8Array.of(0, 17, 34, 51, 68, 85));
  });

  it('reads records whose version is written " 10" as well as "010"', () => {
    const bytes = encodeFingerImageRecord(sample());
    bytes[4] = 0x20;
    expect(decodeFingerImageRecord(bytes).views).toHaveLength(1);
  });

  it('round-trips any valid record', () => {
    fc.assert(fc.property(recordArb, (record) => {
      const decoded = decodeFingerImageRecord(encodeFingerImageRecord(record));
      expect(decoded).toEqual({ ...record, views: record.views.map((v) => ({ ...v, imageData: new Uint8Array(v.imageData) })) });
    }), { numRuns: 60 });
  });

  it('refuses every truncation with a typed error', () => {
    fc.assert(fc.property(recordArb, fc.nat(), (record, cut) => {
      const bytes = encodeFingerImageRecord(record);
      const error = errorOf(() => decodeFingerImageRecord(bytes.subarray(0, cut % bytes.length)));
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('ISO_FIR_MALFORMED');
    }), { numRuns: 60 });
  });

  it('answers any damaged byte with a record or a typed error, never a crash', () => {
    fc.assert(fc.property(recordArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (record, at, flip) => {
      const bytes = encodeFingerImageRecord(record);
      bytes[at % bytes.length]! ^= flip;
      const error = errorOf(() => decodeFingerImageRecord(bytes));
      if (error !== undefined) expect((error as DeviceError).code).toBe('ISO_FIR_MALFORMED');
    }), { numRuns: 200 });
  });

  it.each([
    ['format identifier', 0, 0x47],
    ['version', 5, 0x32],
    ['record length', 13, 0x00],
    ['image acquisition level', 17, 0x20],
    ['scale units', 19, 3],
    ['compression algorithm', 29, 9],
    ['finger 1 length', 32 + 3, 0x05],
    ['finger 1 position', 32 + 4, 16],
    ['finger 1 view number', 32 + 6, 2],
    ['finger 1 quality', 32 + 7, 101],
    ['finger 1 impression type', 32 + 8, 4],
    ['finger 1 image', 32 + 10, 9],
    ['finger 1 image', 46 + 1, 0x51],
  ])('names the broken field: %s', (field, at, value) => {
    const bytes = encodeFingerImageRecord(sample());
    bytes[at] = value;
    expect(errorOf(() => decodeFingerImageRecord(bytes))).toMatchObject({ code: 'ISO_FIR_MALFORMED', details: { field } });
  });

  it('will not write a record the standard cannot hold', () => {
    const tooGood = sample();
    tooGood.views[0]!.quality = 120;
    expect(errorOf(() => encodeFingerImageRecord(tooGood))).toMatchObject({ code: 'ISO_FIR_INVALID', details: { field: 'finger 1 quality' } });
    const mislabelled = sample();
    mislabelled.views[0]!.width = 3;
    expect(errorOf(() => encodeFingerImageRecord(mislabelled))).toMatchObject({ code: 'ISO_FIR_INVALID', details: { field: 'finger 1 image' } });
    expect(errorOf(() => encodeFingerImageRecord({ ...sample(), views: [] }))).toMatchObject({ details: { field: 'number of fingers' } });
  });
});
