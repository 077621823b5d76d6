// ISO/IEC 19794-4:2005 finger image records: how each captured finger is kept and sent
// (general header, one finger image header per view, PNG image data), encoded and decoded.
// Field layout of the 2005 edition (no copy of the standard at hand; the sizes and the
// version "010\0" agree with NIST's biomdi finger-image library, FIR_ISO_HEADER_LENGTH 32,
// FIVR_HEADER_LENGTH 14): general header 32 bytes — "FIR\0", version "010\0" (" 10\0",
// which some writers use, is accepted on reading), record length 6 bytes (not 4; the 2011 edition, version "020", has another layout),
// capture device id 2, image acquisition level 2, number of finger records 1, scale units
// 1 (1 ppi, 2 ppcm), scan resolution h/v 2+2, image resolution h/v 2+2, pixel depth 1,
// compression 1 (0 raw, 1 bit-packed, 2 WSQ, 3 JPEG, 4 JPEG 2000, 5 PNG), reserved 2;
// finger image header 14 bytes — block length 4 (header + data), finger position 1,
// count of views 1, view number 1, quality 1 (0–100), impression type 1, horizontal and
// vertical line length 2+2, reserved 1. All integers big-endian.

import { DeviceError } from '../device-error.js';

/** ISO finger position codes (0 unknown, 11–15 plain multi-finger / thumb slaps). */
export const FingerPosition = {
  unknown: 0,
  rightThumb: 1, rightIndex: 2, rightMiddle: 3, rightRing: 4, rightLittle: 5,
  leftThumb: 6, leftIndex: 7, leftMiddle: 8, leftRing: 9, leftLittle: 10,
} as const;
const MAX_FINGER_POSITION = 15;

export const ImageCompression = {
  uncompressed: 0, uncompressedBitPacked: 1, wsq: 2, jpeg: 3, jpeg2000: 4, png: 5,
} as const;
export type ImageCompressionName = keyof typeof ImageCompression;

/** Impression types: live-scan plain/rolled, non-live plain/rolled, swipe. */
const IMPRESSION_TYPES = new Set([0, 1, 2, 3, 8]);
const ACQUISITION_LEVELS = new Set([10, 20, 30, 31, 40, 41]);
const SCALE_UNITS = { ppi: 1, ppcm: 2 } as const;

export interface FingerImageView {
  /** FingerPosition code 0–15. */
  position: number;
  viewCount: number;
  viewNumber: number;
  /** 0–100. */
  quality: number;
  impressionType: number;
  width: number;
  height: number;
  /** The image, encoded as the record's compression says (PNG here). */
  imageData: Uint8Array;
}

export interface FingerImageRecord {
  /** 0 = not reported. */
  captureDeviceId: number;
  acquisitionLevel: number;
  scaleUnits: keyof typeof SCALE_UNITS;
  scanResolution: { horizontal: number; vertical: number };
  imageResolution: { horizontal: number; vertical: number };
  /** Bits per pixel, 1–16. */
  pixelDepth: number;
  compression: ImageCompressionName;
  views: FingerImageView[];
}

const MAGIC = [0x46, 0x49, 0x52, 0x00];
const VERSION = [0x30, 0x31, 0x30, 0x00];
const VERSION_SPACE_PADDED = [0x20, 0x31, 0x30, 0x00];
const GENERAL_HEADER_BYTES = 32;
const VIEW_HEADER_BYTES = 14;
const MAX_RECORD_LENGTH = 2 ** 48 - 1;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function encodeFingerImageRecord(record: FingerImageRecord): Uint8Array {
  checkRecord(record, 'ISO_FIR_INVALID');
  const length = GENERAL_HEADER_BYTES + record.views.reduce((sum, v) => sum + VIEW_HEADER_BYTES + v.imageData.length, 0);
  if (length > MAX_RECORD_LENGTH) fail('ISO_FIR_INVALID', 'record length', 'too large for 6 bytes');
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes.set(VERSION, 4);
  view.setUint16(8, Math.floor(length / 2 ** 32));
  view.setUint32(10, length % 2 ** 32);
  view.setUint16(14, record.captureDeviceId);
  view.setUint16(16, record.acquisitionLevel);
  view.setUint8(18, record.views.length);
  view.setUint8(19, SCALE_UNITS[record.scaleUnits]);
  view.setUint16(20, record.scanResolution.horizontal);
  view.setUint16(22, record.scanResolution.vertical);
  view.setUint16(24, record.imageResolution.horizontal);
  view.setUint16(26, record.imageResolution.vertical);
  view.setUint8(28, record.pixelDepth);
  view.setUint8(29, ImageCompression[record.compression]);
  let offset = GENERAL_HEADER_BYTES;
  for (const finger of record.views) {
    view.setUint32(offset, VIEW_HEADER_BYTES + finger.imageData.length);
    view.setUint8(offset + 4, finger.position);
    view.setUint8(offset + 5, finger.viewCount);
    view.setUint8(offset + 6, finger.viewNumber);
    view.setUint8(offset + 7, finger.quality);
    view.setUint8(offset + 8, finger.impressionType);
    view.setUint16(offset + 9, finger.width);
    view.setUint16(offset + 11, finger.height);
    bytes.set(finger.imageData, offset + VIEW_HEADER_BYTES);
    offset += VIEW_HEADER_BYTES + finger.imageData.length;
  }
  return bytes;
}

export function decodeFingerImageRecord(bytes: Uint8Array): FingerImageRecord {
  const code = 'ISO_FIR_MALFORMED';
  if (bytes.length < GENERAL_HEADER_BYTES) fail(code, 'general header', `only ${bytes.length} bytes`);
  if (!startsWith(bytes, 0, MAGIC)) fail(code, 'format identifier', 'not "FIR"');
  if (!startsWith(bytes, 4, VERSION) && !startsWith(bytes, 4, VERSION_SPACE_PADDED)) {
    fail(code, 'version', 'not "010" (ISO/IEC 19794-4:2005)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint16(8) * 2 ** 32 + view.getUint32(10);
  if (length !== bytes.length) fail(code, 'record length', `says ${length} bytes, have ${bytes.length}`);
  const scaleCode = view.getUint8(19);
  const scaleUnits = (Object.keys(SCALE_UNITS) as (keyof typeof SCALE_UNITS)[]).find((k) => SCALE_UNITS[k] === scaleCode);
  const compressionCode = view.getUint8(29);
  const compression = (Object.keys(ImageCompression) as ImageCompressionName[])
    .find((k) => ImageCompression[k] === compressionCode);
  if (!scaleUnits) fail(code, 'scale units', `unknown code ${scaleCode}`);
  if (!compression) fail(code, 'compression algorithm', `unknown code ${compressionCode}`);
  const views: FingerImageView[] = [];
  let offset = GENERAL_HEADER_BYTES;
  for (let i = 0; i < view.getUint8(18); i++) {
    if (length - offset < VIEW_HEADER_BYTES) fail(code, `finger ${i + 1} header`, 'past the end of the record');
    const blockLength = view.getUint32(offset);
    if (blockLength < VIEW_HEADER_BYTES || blockLength > length - offset) {
      fail(code, `finger ${i + 1} length`, `${blockLength} does not fit the record`);
    }
    views.push({
      position: view.getUint8(offset + 4),
      viewCount: view.getUint8(offset + 5),
      viewNumber: view.getUint8(offset + 6),
      quality: view.getUint8(offset + 7),
      impressionType: view.getUint8(offset + 8),
      width: view.getUint16(offset + 9),
      height: view.getUint16(offset + 11),
      imageData: bytes.slice(offset + VIEW_HEADER_BYTES, offset + blockLength),
    });
    offset += blockLength;
  }
  if (offset !== length) fail(code, 'record length', `${length - offset} bytes after the last finger`);
  const record: FingerImageRecord = {
    captureDeviceId: view.getUint16(14),
    acquisitionLevel: view.getUint16(16),
    scaleUnits,
    scanResolution: { horizontal: view.getUint16(20), vertical: view.getUint16(22) },
    imageResolution: { horizontal: view.getUint16(24), vertical: view.getUint16(26) },
    pixelDepth: view.getUint8(28),
    compression,
    views,
  };
  checkRecord(record, code);
  return record;
}

function checkRecord(record: FingerImageRecord, code: string): void {
  const check = (ok: boolean, field: string, problem: string) => {
    if (!ok) fail(code, field, problem);
  };
  const u16 = (value: number) => Number.isInteger(value) && value >= 0 && value <= 0xffff;
  check(u16(record.captureDeviceId), 'capture device id', 'not 0–65535');
  check(ACQUISITION_LEVELS.has(record.acquisitionLevel), 'image acquisition level', 'not 10, 20, 30, 31, 40 or 41');
  check(record.views.length >= 1 && record.views.length <= 255, 'number of fingers', 'not 1–255');
  for (const [name, value] of Object.entries({ ...prefixed('scan', record.scanResolution), ...prefixed('image', record.imageResolution) })) {
    check(u16(value) && value > 0, `${name} resolution`, 'not 1–65535');
  }
  check(Number.isInteger(record.pixelDepth) && record.pixelDepth >= 1 && record.pixelDepth <= 16, 'pixel depth', 'not 1–16 bits');
  record.views.forEach((finger, i) => {
    const field = (name: string) => `finger ${i + 1} ${name}`;
    check(Number.isInteger(finger.position) && finger.position >= 0 && finger.position <= MAX_FINGER_POSITION,
      field('position'), `not a finger position code 0–${MAX_FINGER_POSITION}`);
    check(Number.isInteger(finger.viewCount) && finger.viewCount >= 1 && finger.viewCount <= 255, field('count of views'), 'not 1–255');
    check(Number.isInteger(finger.viewNumber) && finger.viewNumber >= 1 && finger.viewNumber <= finger.viewCount,
      field('view number'), 'not between 1 and the count of views');
    check(Number.isInteger(finger.quality) && finger.quality >= 0 && finger.quality <= 100, field('quality'), 'not 0–100');
    check(IMPRESSION_TYPES.has(finger.impressionType), field('impression type'), 'not 0–3 or 8');
    check(u16(finger.width) && finger.width > 0 && u16(finger.height) && finger.height > 0, field('line lengths'), 'not 1–65535');
    if (record.compression === 'png') checkPngSize(finger, field('image'), code);
  });
}

/** The PNG's IHDR must be there and agree with the header's line lengths. */
function checkPngSize(finger: FingerImageView, field: string, code: string): void {
  const data = finger.imageData;
  if (data.length < 24 || !startsWith(data, 0, PNG_SIGNATURE) || !startsWith(data, 12, [0x49, 0x48, 0x44, 0x52])) {
    fail(code, field, 'not PNG data');
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width !== finger.width || height !== finger.height) {
    fail(code, field, `PNG is ${width} × ${height}, header says ${finger.width} × ${finger.height}`);
  }
}

function prefixed(prefix: string, resolution: { horizontal: number; vertical: number }): Record<string, number> {
  return { [`${prefix} horizontal`]: resolution.horizontal, [`${prefix} vertical`]: resolution.vertical };
}

function startsWith(bytes: Uint8Array, offset: number, expected: number[]): boolean {
  return expected.every((byte, i) => bytes[offset + i] === byte);
}

function fail(code: string, field: string, problem: string): never {
  const action = code === 'ISO_FIR_MALFORMED'
    ? 'the stored finger image record is damaged or not ISO/IEC 19794-4:2005 — capture the finger again'
    : 'the finger image record cannot be written — this is a program error, report it';
  throw new DeviceError(code, `Finger image record ${field}: ${problem}; ${action}.`, { field, problem });
}
