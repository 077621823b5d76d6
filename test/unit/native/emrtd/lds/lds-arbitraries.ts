// fast-check generators for the LDS files' contents (EF.COM, DG1, DG2, DG11, DG12, DG14,
// DG15), written from 9303-10 and ISO/IEC 19794-5 rather than from the codecs, plus the
// helpers the codec tests share.

import fc from 'fast-check';
import { formatMrz } from '../../../../../native/idreader/mrz/index.js';
import type {
  AdditionalDetailInput, BiometricHeaderElement, Dg2InstanceInput, FaceImage, FeaturePoint,
} from '../../../../../native/emrtd/lds/index.js';
import { DeviceError } from '../../../../../native/device-error.js';
import { FORMATS, mrzFields } from '../../idreader/mrz/mrz-arbitraries.js';

export function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The codes an LDS decoder may throw for bad chip data. */
export const LDS_ERROR_CODES = ['LDS_FILE_MALFORMED', 'LDS_FACE_RECORD_MALFORMED', 'LDS_FACE_RECORD_UNSUPPORTED'];

export function expectTypedLdsError(error: unknown): void {
  if (!(error instanceof DeviceError) || !LDS_ERROR_CODES.includes(error.code)) {
    throw new Error(`expected an LDS DeviceError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

export const bytes = (min = 0, max = 40) => fc.uint8Array({ minLength: min, maxLength: max });

export const mrzLines = fc.constantFrom(...FORMATS).chain((format) => mrzFields(format).map((fields) => formatMrz(fields, format)));

export const efComInput = fc.record({
  ldsVersion: fc.constantFrom('0107', '0108'),
  unicodeVersion: fc.constantFrom('040000', '050000', '060000'),
  dataGroups: fc.uniqueArray(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 16 }),
});

/** Bytes that start like the named image kind (the codecs look only at the signature). */
export const imageBytes = (kind: 'jpeg' | 'jp2' | 'j2k') => bytes(0, 60).map((tail) => {
  const head = kind === 'jpeg'
    ? [0xff, 0xd8, 0xff, 0xe0]
    : kind === 'jp2' ? [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a] : [0xff, 0x4f, 0xff, 0x51];
  return Uint8Array.from([...head, ...tail]);
});

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const angles = fc.record({ yaw: u8, pitch: u8, roll: u8 });

const featurePoint: fc.Arbitrary<FeaturePoint> = fc.record({ type: u8, code: u8, x: u16, y: u16, reserved: u16 });

export const faceImage: fc.Arbitrary<FaceImage> = fc.constantFrom('jpeg' as const, 'jp2' as const, 'j2k' as const).chain((kind) => fc.record({
  gender: u8, eyeColour: u8, hairColour: u8, featureMask: fc.integer({ min: 0, max: 0xffffff }), expression: u16,
  poseAngle: angles, poseAngleUncertainty: angles, featurePoints: fc.array(featurePoint, { maxLength: 3 }),
  faceImageType: u8, imageDataType: fc.constant(kind === 'jpeg' ? 0 : 1), width: u16, height: u16, colourSpace: u8, sourceType: u8,
  deviceType: u16, quality: u16, image: imageBytes(kind),
}));

const headerElements: fc.Arbitrary<BiometricHeaderElement[]> = fc.record({
  creation: fc.option(bytes(7, 7), { nil: undefined }),
  creator: fc.option(bytes(2, 2), { nil: undefined }),
  subtype: fc.option(u8, { nil: undefined }),
}).map(({ creation, creator, subtype }) => [
  { tag: 0x80, value: Uint8Array.of(1, 1) },
  { tag: 0x81, value: Uint8Array.of(2) },
  ...(subtype === undefined ? [] : [{ tag: 0x82, value: Uint8Array.of(subtype) }]),
  ...(creation ? [{ tag: 0x83, value: creation }] : []),
  ...(creator ? [{ tag: 0x86, value: creator }] : []),
  { tag: 0x87, value: Uint8Array.of(0x01, 0x01) },
  { tag: 0x88, value: Uint8Array.of(0x00, 0x08) },
]);

export const dg2Input: fc.Arbitrary<Required<Dg2InstanceInput>[]> = fc.array(fc.record({
  header: headerElements,
  dataBlockTag: fc.constantFrom(0x5f2e as const, 0x7f2e as const),
  record: fc.record({ faces: fc.array(faceImage, { minLength: 1, maxLength: 3 }) }),
}), { minLength: 1, maxLength: 2 });

const utf8Text = fc.string({ unit: 'grapheme', maxLength: 30 });
/** ISO/IEC 8859-1 text that is not also valid UTF-8 (which the decoder would prefer). */
const latin1Text = fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('ü', 'é', 'ß', 'Å', 'ø')).map(([a, b]) => `${a.replace(/[^\x20-\x7e]/g, '')}${b}`);

const text = fc.oneof(
  utf8Text.map((value) => ({ value, encoding: 'utf-8' as const })),
  latin1Text.map((value) => ({ value, encoding: 'latin1' as const })),
);

function detailFields(textNames: readonly string[], binaryNames: readonly string[], grouped: string, unknownTags: readonly number[]): fc.Arbitrary<AdditionalDetailInput[]> {
  const one = fc.oneof(
    fc.record({ name: fc.constantFrom(...textNames), text }).map(({ name, text: t }) => ({ name, ...t }) as AdditionalDetailInput),
    fc.record({ name: fc.constantFrom(...binaryNames), value: bytes(0, 20) }).map((f) => f as AdditionalDetailInput),
    fc.record({ tag: fc.constantFrom(...unknownTags), value: bytes(0, 10) }).map((f) => f as AdditionalDetailInput),
  );
  return fc.record({
    fields: fc.uniqueArray(one, { maxLength: 6, selector: (f) => f.name ?? f.tag }),
    group: fc.array(text, { maxLength: 3 }),
    at: fc.nat(),
  }).map(({ fields, group, at }) => {
    const members = group.map((t) => ({ name: grouped, ...t }) as AdditionalDetailInput);
    const position = fields.length === 0 ? 0 : at % (fields.length + 1);
    return [...fields.slice(0, position), ...members, ...fields.slice(position)];
  });
}

export const dg11Fields = detailFields(
  ['fullName', 'personalNumber', 'fullDateOfBirth', 'placeOfBirth', 'permanentAddress', 'telephone', 'profession', 'title', 'personalSummary', 'otherValidTravelDocumentNumbers', 'custodyInformation'],
  ['proofOfCitizenship'], 'otherName', [0x5f60, 0x5f61],
);

export const dg12Fields = detailFields(
  ['issuingAuthority', 'dateOfIssue', 'endorsementsAndObservations', 'taxOrExitRequirements', 'personalizationDateTime', 'personalizationSystemSerialNumber'],
  ['imageOfFront', 'imageOfRear'], 'otherPersonName', [0x5f60, 0x5f61],
);
