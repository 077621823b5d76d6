// DG2 (9303-10 §4.7.2): the encoded face, in the CBEFF nesting 9303 prescribes —
// 75 { 7F61 biometric information group template { 02 number of instances,
//   7F60 biometric information template { A1 biometric header template, 5F2E (or 7F2E)
//   biometric data block } … } }.
// The header says what the block is (format owner 0101 = ISO/IEC JTC 1 SC 37, format type
// 0008 = face image, ISO/IEC 19794-5); the block is a facial record. The portrait the kiosk
// shows and matches is the first image of the first instance.

import { encodeTlv, type Tlv } from '../ber-tlv.js';
import { DeviceError } from '../../device-error.js';
import { DATA_GROUP_FILES } from './lds-files.js';
import { ldsError, onlyTags, readObjects, single, unwrapLdsFile, withinFile } from './lds-codec.js';
import { decodeFacialRecord, encodeFacialRecord, sniffFaceImageFormat, type FaceImage, type FaceImageFormat, type FacialRecord } from './iso19794-5.js';

const DG2 = DATA_GROUP_FILES[1]!;

const GROUP_TEMPLATE = 0x7f61;
const INSTANCE_COUNT = 0x02;
const INFORMATION_TEMPLATE = 0x7f60;
const HEADER_TEMPLATE = 0xa1;
const DATA_BLOCK = 0x5f2e;
/** 9303 lets a data block be written under 7F2E instead; its content is read the same way. */
const DATA_BLOCK_ALTERNATIVE = 0x7f2e;

/** Biometric header template elements (9303-10 Table 38). */
export const BiometricHeaderTag = {
  patronHeaderVersion: 0x80,
  biometricType: 0x81,
  biometricSubtype: 0x82,
  creationDateTime: 0x83,
  validityPeriod: 0x85,
  creatorOfBiometricData: 0x86,
  formatOwner: 0x87,
  formatType: 0x88,
} as const;

export const FORMAT_OWNER_SC37 = 0x0101;
export const FORMAT_TYPE_FACE_IMAGE = 0x0008;
/** CBEFF biometric type "facial features". */
export const BIOMETRIC_TYPE_FACE = 0x02;

export interface BiometricHeaderElement {
  tag: number;
  value: Uint8Array;
}

export interface Dg2Instance {
  /** The header template's elements in the chip's order (kept whole so the file re-encodes exactly). */
  header: BiometricHeaderElement[];
  formatOwner: number;
  formatType: number;
  /** From element 81 when present. */
  biometricType: number | null;
  dataBlockTag: typeof DATA_BLOCK | typeof DATA_BLOCK_ALTERNATIVE;
  record: FacialRecord;
}

export interface Dg2Portrait {
  image: Uint8Array;
  format: FaceImageFormat;
  width: number;
  height: number;
  /** The whole facial image entry the portrait comes from. */
  face: FaceImage;
}

export interface Dg2 {
  instances: Dg2Instance[];
  /** The first image of the first instance: the portrait. */
  portrait: Dg2Portrait;
}

const toNumber = (bytes: Uint8Array): number => bytes.reduce((n, b) => n * 256 + b, 0);

function readHeader(value: Uint8Array, index: number): Pick<Dg2Instance, 'header' | 'formatOwner' | 'formatType' | 'biometricType'> {
  const header = readObjects('DG2', value).map((o: Tlv) => ({ tag: o.tag, value: o.value }));
  const tags = header.map((e) => e.tag);
  if (new Set(tags).size !== tags.length) throw ldsError('DG2', `biometric header ${index + 1} repeats an element`);
  const get = (tag: number) => header.find((e) => e.tag === tag)?.value;
  const owner = get(BiometricHeaderTag.formatOwner);
  const type = get(BiometricHeaderTag.formatType);
  if (owner?.length !== 2 || type?.length !== 2) {
    throw ldsError('DG2', `biometric header ${index + 1} lacks a two-byte format owner (87) and format type (88)`);
  }
  const biometricTypeBytes = get(BiometricHeaderTag.biometricType);
  if (biometricTypeBytes !== undefined && (biometricTypeBytes.length < 1 || biometricTypeBytes.length > 3)) {
    throw ldsError('DG2', `biometric header ${index + 1} has a biometric type of ${biometricTypeBytes.length} bytes`);
  }
  const formatOwner = toNumber(owner);
  const formatType = toNumber(type);
  const biometricType = biometricTypeBytes ? toNumber(biometricTypeBytes) : null;
  if (formatOwner !== FORMAT_OWNER_SC37 || formatType !== FORMAT_TYPE_FACE_IMAGE) {
    throw new DeviceError(
      'LDS_FACE_RECORD_UNSUPPORTED',
      `DG2 instance ${index + 1} holds format ${formatOwner.toString(16).padStart(4, '0')}/${formatType.toString(16).padStart(4, '0')}; only ISO/IEC 19794-5 face images (0101/0008) are supported.`,
      { formatOwner, formatType },
    );
  }
  if (biometricType !== null && biometricType !== BIOMETRIC_TYPE_FACE) {
    throw ldsError('DG2', `biometric header ${index + 1} says biometric type ${biometricType}, not facial features (2)`);
  }
  return { header, formatOwner, formatType, biometricType };
}

export function decodeDg2(bytes: Uint8Array): Dg2 {
  const outer = readObjects('DG2', unwrapLdsFile(bytes, DG2));
  onlyTags('DG2', outer, [GROUP_TEMPLATE], 'DG2');
  const group = readObjects('DG2', single('DG2', outer, GROUP_TEMPLATE, 'the biometric information group template'));
  onlyTags('DG2', group, [INSTANCE_COUNT, INFORMATION_TEMPLATE], 'the biometric information group template');
  const countBytes = single('DG2', group, INSTANCE_COUNT, 'the number of instances');
  if (countBytes.length !== 1) throw ldsError('DG2', `the number of instances takes ${countBytes.length} bytes, not 1`);
  if (group[0]?.tag !== INSTANCE_COUNT) throw ldsError('DG2', 'the number of instances does not come first');
  const templates = group.filter((o) => o.tag === INFORMATION_TEMPLATE);
  if (templates.length === 0) throw ldsError('DG2', 'it holds no biometric information template');
  if (countBytes[0] !== templates.length) {
    throw ldsError('DG2', `it says ${countBytes[0]} instances but holds ${templates.length}`, { declared: countBytes[0], found: templates.length });
  }
  const instances = templates.map((template, index): Dg2Instance => {
    const parts = readObjects('DG2', template.value);
    if (parts.length !== 2 || parts[0]!.tag !== HEADER_TEMPLATE || (parts[1]!.tag !== DATA_BLOCK && parts[1]!.tag !== DATA_BLOCK_ALTERNATIVE)) {
      throw ldsError('DG2', `biometric information template ${index + 1} is not a header (A1) followed by a data block (5F2E or 7F2E)`);
    }
    const header = readHeader(parts[0]!.value, index);
    const record = withinFile('DG2', () => decodeFacialRecord(parts[1]!.value));
    return { ...header, dataBlockTag: parts[1]!.tag as Dg2Instance['dataBlockTag'], record };
  });
  const face = instances[0]!.record.faces[0]!;
  return {
    instances,
    portrait: { image: face.image, format: sniffFaceImageFormat(face.image)!, width: face.width, height: face.height, face },
  };
}

/** The header of a face instance as passports write it: header version 0101, type face, SC 37 / face image. */
export function faceHeader(): BiometricHeaderElement[] {
  return [
    { tag: BiometricHeaderTag.patronHeaderVersion, value: Uint8Array.of(0x01, 0x01) },
    { tag: BiometricHeaderTag.biometricType, value: Uint8Array.of(BIOMETRIC_TYPE_FACE) },
    { tag: BiometricHeaderTag.biometricSubtype, value: Uint8Array.of(0x00) },
    { tag: BiometricHeaderTag.formatOwner, value: Uint8Array.of(FORMAT_OWNER_SC37 >>> 8, FORMAT_OWNER_SC37 & 0xff) },
    { tag: BiometricHeaderTag.formatType, value: Uint8Array.of(FORMAT_TYPE_FACE_IMAGE >>> 8, FORMAT_TYPE_FACE_IMAGE & 0xff) },
  ];
}

export interface Dg2InstanceInput {
  /** Defaults to faceHeader(). */
  header?: readonly BiometricHeaderElement[];
  dataBlockTag?: Dg2Instance['dataBlockTag'];
  record: FacialRecord;
}

export function encodeDg2(instances: readonly Dg2InstanceInput[]): Uint8Array {
  if (instances.length === 0 || instances.length > 255) throw new RangeError('DG2 holds 1–255 biometric instances');
  const templates = instances.map((instance) => encodeTlv(INFORMATION_TEMPLATE, [
    encodeTlv(HEADER_TEMPLATE, (instance.header ?? faceHeader()).map((e) => encodeTlv(e.tag, e.value))),
    encodeTlv(instance.dataBlockTag ?? DATA_BLOCK, encodeFacialRecord(instance.record)),
  ]));
  return encodeTlv(DG2.tag!, [encodeTlv(GROUP_TEMPLATE, [encodeTlv(INSTANCE_COUNT, Uint8Array.of(instances.length)), ...templates])]);
}
