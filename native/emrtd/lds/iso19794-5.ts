// ISO/IEC 19794-5:2005 facial records, the biometric data block of DG2: the portrait the
// chip holds and what the issuer recorded about it. Layout of the 2005 edition (version
// "010"), all integers big-endian:
//   facial record header, 14 bytes: "FAC\0", version "010\0", record length 4, number of
//     facial images 2;
//   per image — facial information, 20 bytes: block length 4 (this block, the feature points,
//     the image information and the image), number of feature points 2, gender 1, eye colour 1,
//     hair colour 1, feature mask 3, expression 2, pose angle yaw/pitch/roll 3, pose angle
//     uncertainty 3; feature points, 8 bytes each: type 1, code 1, x 2, y 2, reserved 2;
//     image information, 12 bytes: face image type 1, image data type 1 (0 JPEG, 1 JPEG 2000),
//     width 2, height 2, colour space 1, source type 1, device type 2, quality 2; image data.
// The 2011 edition ("030") has another layout and is refused as unsupported.

import { DeviceError } from '../../device-error.js';

export const FaceImageDataType = { jpeg: 0, jpeg2000: 1 } as const;

/** What the image bytes are, from their signature: JPEG, a JP2 file, or a bare JPEG 2000 codestream. */
export type FaceImageFormat = 'jpeg' | 'jp2' | 'j2k';

export interface FeaturePoint {
  /** 1 = MPEG-4 feature point. */
  type: number;
  /** MPEG-4 feature point code: major in the high nibble, minor in the low. */
  code: number;
  x: number;
  y: number;
  /** Two reserved bytes; 0 in every record we write. */
  reserved: number;
}

export interface PoseAngles {
  yaw: number;
  pitch: number;
  roll: number;
}

export interface FaceImage {
  /** 0 unspecified, 1 male, 2 female, 0xFF unknown. */
  gender: number;
  /** 0 unspecified, 1 black, 2 blue, 3 brown, 4 grey, 5 green, 6 multi-coloured, 7 pink, 0xFF other. */
  eyeColour: number;
  hairColour: number;
  /** 24 bits: bit 0 features specified, then glasses, moustache, beard, teeth, blink, mouth open, … */
  featureMask: number;
  /** 16 bits: 0 unspecified, 1 neutral, 2 smile (closed jaw), … */
  expression: number;
  /** Encoded as the standard does: 0 unspecified, 1–181 for −180° … +180° in steps of 2°. */
  poseAngle: PoseAngles;
  poseAngleUncertainty: PoseAngles;
  featurePoints: FeaturePoint[];
  /** 0 basic, 1 full frontal, 2 token frontal. */
  faceImageType: number;
  /** As the record declares it: FaceImageDataType.jpeg or .jpeg2000. */
  imageDataType: number;
  width: number;
  height: number;
  /** 0 unspecified, 1 24-bit RGB, 2 YUV422, 3 8-bit greyscale, 4 other. */
  colourSpace: number;
  /** 0 unspecified, 1 static photo (unknown source), 2 digital still camera, 3 scanner, … */
  sourceType: number;
  deviceType: number;
  quality: number;
  image: Uint8Array;
}

export interface FacialRecord {
  faces: FaceImage[];
}

const MAGIC = [0x46, 0x41, 0x43, 0x00];
const VERSION_2005 = [0x30, 0x31, 0x30, 0x00];
const HEADER_BYTES = 14;
const FACIAL_INFORMATION_BYTES = 20;
const FEATURE_POINT_BYTES = 8;
const IMAGE_INFORMATION_BYTES = 12;

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const J2K_SIGNATURE = [0xff, 0x4f, 0xff, 0x51];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** The image's format from its first bytes, or null when it is none we can show. */
export function sniffFaceImageFormat(image: Uint8Array): FaceImageFormat | null {
  if (startsWith(image, JPEG_SIGNATURE)) return 'jpeg';
  if (startsWith(image, JP2_SIGNATURE)) return 'jp2';
  if (startsWith(image, J2K_SIGNATURE)) return 'j2k';
  return null;
}

/**
 * The JPEG 2000 codestream of a portrait: the image itself when it is a bare codestream, the
 * contiguous codestream box (jp2c) when it is a JP2 file (ISO/IEC 15444-1 Annex I: boxes of
 * length 4 + type 4, length 1 = an 8-byte length follows, 0 = to the end). Decoders such as
 * OpenJPEG's want the codestream.
 */
export function jpeg2000Codestream(image: Uint8Array): Uint8Array {
  const format = sniffFaceImageFormat(image);
  if (format === 'j2k') return image;
  if (format !== 'jp2') throw malformed('the portrait is not JPEG 2000', 0);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  for (let at = 0; at + 8 <= image.length;) {
    let length = view.getUint32(at);
    const type = String.fromCharCode(...image.subarray(at + 4, at + 8));
    let header = 8;
    if (length === 1) {
      if (at + 16 > image.length) break;
      length = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (length === 0) {
      length = image.length - at;
    }
    if (length < header || at + length > image.length) break;
    if (type === 'jp2c') return image.subarray(at + header, at + length);
    at += length;
  }
  throw malformed('the JP2 file has no complete codestream box (jp2c)', 0);
}

function malformed(reason: string, offset: number): DeviceError {
  return new DeviceError('LDS_FACE_RECORD_MALFORMED', `The chip's facial record (ISO/IEC 19794-5) is malformed: ${reason}.`, { reason, offset });
}

export function decodeFacialRecord(bytes: Uint8Array): FacialRecord {
  if (bytes.length < HEADER_BYTES) throw malformed(`${bytes.length} bytes are too few for the record header`, 0);
  if (!startsWith(bytes, MAGIC)) throw malformed('it does not start with "FAC\\0"', 0);
  if (!VERSION_2005.every((b, i) => bytes[4 + i] === b)) {
    const version = String.fromCharCode(...bytes.subarray(4, 7)).replace(/[^\x20-\x7e]/g, '?');
    throw new DeviceError(
      'LDS_FACE_RECORD_UNSUPPORTED',
      `The chip's facial record is version "${version}"; only the 2005 edition ("010") is supported.`,
      { version },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const recordLength = view.getUint32(8);
  if (recordLength !== bytes.length) throw malformed(`the record length says ${recordLength} bytes, the block holds ${bytes.length}`, 8);
  const count = view.getUint16(12);
  if (count === 0) throw malformed('it holds no facial image', 12);

  const faces: FaceImage[] = [];
  let at = HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    if (at + FACIAL_INFORMATION_BYTES > bytes.length) throw malformed(`facial image ${index + 1} is cut off`, at);
    const blockLength = view.getUint32(at);
    const pointCount = view.getUint16(at + 4);
    const fixed = FACIAL_INFORMATION_BYTES + pointCount * FEATURE_POINT_BYTES + IMAGE_INFORMATION_BYTES;
    if (blockLength <= fixed) throw malformed(`facial image ${index + 1} has a block length of ${blockLength}, too short for its headers and an image`, at);
    if (at + blockLength > bytes.length) throw malformed(`facial image ${index + 1} runs past the end of the record`, at);
    const featurePoints: FeaturePoint[] = [];
    for (let p = 0; p < pointCount; p++) {
      const o = at + FACIAL_INFORMATION_BYTES + p * FEATURE_POINT_BYTES;
      featurePoints.push({ type: bytes[o]!, code: bytes[o + 1]!, x: view.getUint16(o + 2), y: view.getUint16(o + 4), reserved: view.getUint16(o + 6) });
    }
    const info = at + FACIAL_INFORMATION_BYTES + pointCount * FEATURE_POINT_BYTES;
    const image = bytes.slice(info + IMAGE_INFORMATION_BYTES, at + blockLength);
    const face: FaceImage = {
      gender: bytes[at + 6]!,
      eyeColour: bytes[at + 7]!,
      hairColour: bytes[at + 8]!,
      featureMask: (bytes[at + 9]! << 16) | view.getUint16(at + 10),
      expression: view.getUint16(at + 12),
      poseAngle: { yaw: bytes[at + 14]!, pitch: bytes[at + 15]!, roll: bytes[at + 16]! },
      poseAngleUncertainty: { yaw: bytes[at + 17]!, pitch: bytes[at + 18]!, roll: bytes[at + 19]! },
      featurePoints,
      faceImageType: bytes[info]!,
      imageDataType: bytes[info + 1]!,
      width: view.getUint16(info + 2),
      height: view.getUint16(info + 4),
      colourSpace: bytes[info + 6]!,
      sourceType: bytes[info + 7]!,
      deviceType: view.getUint16(info + 8),
      quality: view.getUint16(info + 10),
      image,
    };
    checkImage(face, index, info + IMAGE_INFORMATION_BYTES);
    faces.push(face);
    at += blockLength;
  }
  if (at !== bytes.length) throw malformed(`${bytes.length - at} bytes follow the last facial image`, at);
  return { faces };
}

/** Why the image cannot be shown as declared, or null when it can. */
function imageProblem(face: FaceImage, index: number): { unsupported: boolean; reason: string } | null {
  if (face.imageDataType !== FaceImageDataType.jpeg && face.imageDataType !== FaceImageDataType.jpeg2000) {
    return { unsupported: true, reason: `facial image ${index + 1} has image data type ${face.imageDataType}; only JPEG (0) and JPEG 2000 (1) are defined` };
  }
  const format = sniffFaceImageFormat(face.image);
  if (format === null) return { unsupported: false, reason: `facial image ${index + 1} is neither JPEG nor JPEG 2000 data` };
  if ((format === 'jpeg') !== (face.imageDataType === FaceImageDataType.jpeg)) {
    const declared = face.imageDataType === FaceImageDataType.jpeg ? 'JPEG' : 'JPEG 2000';
    return { unsupported: false, reason: `facial image ${index + 1} is declared ${declared} but its data is ${format === 'jpeg' ? 'JPEG' : 'JPEG 2000'}` };
  }
  return null;
}

function checkImage(face: FaceImage, index: number, offset: number): void {
  const problem = imageProblem(face, index);
  if (problem?.unsupported) {
    throw new DeviceError('LDS_FACE_RECORD_UNSUPPORTED', `The chip's ${problem.reason}.`, { imageDataType: face.imageDataType });
  }
  if (problem) throw malformed(problem.reason, offset);
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`facial record ${name} ${value} is outside 0–${max}`);
}

export function encodeFacialRecord(record: FacialRecord): Uint8Array {
  if (record.faces.length === 0 || record.faces.length > 0xffff) throw new RangeError('a facial record holds 1–65535 images');
  const blocks = record.faces.map((face, index) => {
    for (const [name, max] of [
      ['gender', 0xff], ['eyeColour', 0xff], ['hairColour', 0xff], ['featureMask', 0xffffff], ['expression', 0xffff],
      ['faceImageType', 0xff], ['imageDataType', 0xff], ['width', 0xffff], ['height', 0xffff], ['colourSpace', 0xff],
      ['sourceType', 0xff], ['deviceType', 0xffff], ['quality', 0xffff],
    ] as const) checkField(name, face[name], max);
    for (const angles of [face.poseAngle, face.poseAngleUncertainty]) {
      for (const value of [angles.yaw, angles.pitch, angles.roll]) checkField('pose angle', value, 0xff);
    }
    const problem = imageProblem(face, index);
    if (problem) throw new RangeError(problem.reason);
    const length = FACIAL_INFORMATION_BYTES + face.featurePoints.length * FEATURE_POINT_BYTES + IMAGE_INFORMATION_BYTES + face.image.length;
    const block = new Uint8Array(length);
    const view = new DataView(block.buffer);
    view.setUint32(0, length);
    view.setUint16(4, face.featurePoints.length);
    block.set([face.gender, face.eyeColour, face.hairColour], 6);
    block[9] = face.featureMask >>> 16;
    view.setUint16(10, face.featureMask & 0xffff);
    view.setUint16(12, face.expression);
    block.set([face.poseAngle.yaw, face.poseAngle.pitch, face.poseAngle.roll], 14);
    block.set([face.poseAngleUncertainty.yaw, face.poseAngleUncertainty.pitch, face.poseAngleUncertainty.roll], 17);
    face.featurePoints.forEach((point, p) => {
      const o = FACIAL_INFORMATION_BYTES + p * FEATURE_POINT_BYTES;
      for (const [name, value, max] of [['type', point.type, 0xff], ['code', point.code, 0xff], ['x', point.x, 0xffff], ['y', point.y, 0xffff], ['reserved', point.reserved, 0xffff]] as const) {
        checkField(`feature point ${name}`, value, max);
      }
      block[o] = point.type;
      block[o + 1] = point.code;
      view.setUint16(o + 2, point.x);
      view.setUint16(o + 4, point.y);
      view.setUint16(o + 6, point.reserved);
    });
    const info = FACIAL_INFORMATION_BYTES + face.featurePoints.length * FEATURE_POINT_BYTES;
    block[info] = face.faceImageType;
    block[info + 1] = face.imageDataType;
    view.setUint16(info + 2, face.width);
    view.setUint16(info + 4, face.height);
    block[info + 6] = face.colourSpace;
    block[info + 7] = face.sourceType;
    view.setUint16(info + 8, face.deviceType);
    view.setUint16(info + 10, face.quality);
    block.set(face.image, info + IMAGE_INFORMATION_BYTES);
    return block;
  });
  const length = HEADER_BYTES + blocks.reduce((sum, b) => sum + b.length, 0);
  if (length > 0xffff_ffff) throw new RangeError('facial record too long for its 4-byte length');
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC, 0);
  header.set(VERSION_2005, 4);
  new DataView(header.buffer).setUint32(8, length);
  new DataView(header.buffer).setUint16(12, record.faces.length);
  return Buffer.concat([header, ...blocks]);
}

/** Defaults for the fields a portrait encoder rarely knows: unspecified everywhere, full frontal, colour. */
export function portraitFace(image: Uint8Array, width: number, height: number, overrides: Partial<FaceImage> = {}): FaceImage {
  const format = sniffFaceImageFormat(image);
  return {
    gender: 0,
    eyeColour: 0,
    hairColour: 0,
    featureMask: 0,
    expression: 0,
    poseAngle: { yaw: 0, pitch: 0, roll: 0 },
    poseAngleUncertainty: { yaw: 0, pitch: 0, roll: 0 },
    featurePoints: [],
    faceImageType: 1,
    imageDataType: format === 'jpeg' ? FaceImageDataType.jpeg : FaceImageDataType.jpeg2000,
    width,
    height,
    colourSpace: 1,
    sourceType: 2,
    deviceType: 0,
    quality: 0,
    image,
    ...overrides,
  };
}
