// DG11 (additional personal details) and DG12 (additional document details), 9303-10
// §4.7.11–12: optional tagged fields after a tag list (5C) — full name, place of birth,
// address, issuing authority, date of issue … Kept as an ordered name → value list because
// issuers fill different fields and write them differently (dates as YYYYMMDD text, parts of
// an address separated by '<'); the kiosk shows them, it does not interpret them. Repeated
// names (other names, other persons) sit in an A0 group led by a count (02).
// Text is UTF-8; a field that is not valid UTF-8 is read as ISO/IEC 8859-1, which some
// early issuers wrote, and says so.

import { encodeTlv, type Tlv } from '../ber-tlv.js';
import { DATA_GROUP_FILES, type LdsFile } from './lds-files.js';
import { encodeTagList, ldsError, readObjects, readTagList, unwrapLdsFile } from './lds-codec.js';

const TAG_LIST = 0x5c;
const GROUP = 0xa0;
const COUNT = 0x02;

interface FieldSpec {
  name: string;
  binary?: true;
  /** Repeated inside an A0 group. */
  grouped?: true;
}

const DG11_FIELDS = {
  0x5f0e: { name: 'fullName' },
  0x5f0f: { name: 'otherName', grouped: true },
  0x5f10: { name: 'personalNumber' },
  0x5f2b: { name: 'fullDateOfBirth' },
  0x5f11: { name: 'placeOfBirth' },
  0x5f42: { name: 'permanentAddress' },
  0x5f12: { name: 'telephone' },
  0x5f13: { name: 'profession' },
  0x5f14: { name: 'title' },
  0x5f15: { name: 'personalSummary' },
  0x5f16: { name: 'proofOfCitizenship', binary: true },
  0x5f17: { name: 'otherValidTravelDocumentNumbers' },
  0x5f18: { name: 'custodyInformation' },
} as const satisfies Record<number, FieldSpec>;

const DG12_FIELDS = {
  0x5f19: { name: 'issuingAuthority' },
  0x5f26: { name: 'dateOfIssue' },
  0x5f1a: { name: 'otherPersonName', grouped: true },
  0x5f1b: { name: 'endorsementsAndObservations' },
  0x5f1c: { name: 'taxOrExitRequirements' },
  0x5f1d: { name: 'imageOfFront', binary: true },
  0x5f1e: { name: 'imageOfRear', binary: true },
  0x5f55: { name: 'personalizationDateTime' },
  0x5f56: { name: 'personalizationSystemSerialNumber' },
} as const satisfies Record<number, FieldSpec>;

export type Dg11FieldName = (typeof DG11_FIELDS)[keyof typeof DG11_FIELDS]['name'];
export type Dg12FieldName = (typeof DG12_FIELDS)[keyof typeof DG12_FIELDS]['name'];
export type AdditionalDetailName = Dg11FieldName | Dg12FieldName | 'unknown';

export type TextEncodingName = 'utf-8' | 'latin1';

export type AdditionalDetail =
  | { tag: number; name: AdditionalDetailName; kind: 'text'; value: string; encoding: TextEncodingName; ungrouped?: true }
  | { tag: number; name: AdditionalDetailName; kind: 'binary'; value: Uint8Array };

export interface AdditionalDetails {
  /** The tag list as the chip wrote it. */
  tagList: number[];
  fields: AdditionalDetail[];
}

/** A field to write: by name (known fields) or by tag; text for text fields, bytes for images. */
export interface AdditionalDetailInput {
  name?: AdditionalDetailName;
  tag?: number;
  value: string | Uint8Array;
  encoding?: TextEncodingName;
  /** A repeatable name written outside its A0 group (as some issuers do). */
  ungrouped?: true;
}

type Spec = Readonly<Record<number, FieldSpec>>;

// ignoreBOM keeps a byte-order mark as U+FEFF, so the text re-encodes to the chip's bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeText(bytes: Uint8Array): { value: string; encoding: TextEncodingName } {
  try {
    return { value: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    // ISO/IEC 8859-1 byte for byte (TextDecoder's 'latin1' is windows-1252, which is not).
    return { value: Array.from(bytes, (b) => String.fromCharCode(b)).join(''), encoding: 'latin1' };
  }
}

function encodeText(text: string, encoding: TextEncodingName): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  if ([...text].some((c) => c.charCodeAt(0) > 0xff)) throw new RangeError('text outside ISO/IEC 8859-1 cannot be written as latin1');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function field(spec: Spec, object: Tlv, ungrouped: boolean): AdditionalDetail {
  const known = spec[object.tag];
  if (!known || known.binary) return { tag: object.tag, name: (known?.name ?? 'unknown') as AdditionalDetailName, kind: 'binary', value: object.value };
  const text = decodeText(object.value);
  return { tag: object.tag, name: known.name as AdditionalDetailName, kind: 'text', ...text, ...(ungrouped && known.grouped ? { ungrouped: true as const } : {}) };
}

function decodeDetails(bytes: Uint8Array, file: LdsFile, spec: Spec): AdditionalDetails {
  const objects = readObjects(file.name, unwrapLdsFile(bytes, file));
  if (objects[0]?.tag !== TAG_LIST) throw ldsError(file.name, 'it does not start with a tag list (5C)');
  const tagList = readTagList(file.name, objects[0].value);
  const fields: AdditionalDetail[] = [];
  let groups = 0;
  for (const object of objects.slice(1)) {
    if (object.tag === TAG_LIST) throw ldsError(file.name, 'it holds a second tag list');
    if (object.tag !== GROUP) {
      fields.push(field(spec, object, true));
      continue;
    }
    if (++groups > 1) throw ldsError(file.name, 'it holds more than one A0 group');
    const members = readObjects(file.name, object.value);
    const count = members[0];
    if (count?.tag !== COUNT || count.value.length !== 1) throw ldsError(file.name, 'its A0 group does not start with a one-byte count (02)');
    const entries = members.slice(1);
    if (entries.length === 0 || count.value[0] !== entries.length) {
      throw ldsError(file.name, `its A0 group says ${count.value[0]} entries but holds ${entries.length}`);
    }
    const tag = entries[0]!.tag;
    if (!spec[tag]?.grouped || entries.some((e) => e.tag !== tag)) throw ldsError(file.name, 'its A0 group holds objects that are not one repeatable field');
    fields.push(...entries.map((e) => field(spec, e, false)));
  }
  return { tagList, fields };
}

function tagOf(spec: Spec, input: AdditionalDetailInput): number {
  if (input.tag !== undefined) return input.tag;
  const entry = Object.entries(spec).find(([, s]) => s.name === input.name);
  if (!entry) throw new RangeError(`no field named ${input.name}`);
  return Number(entry[0]);
}

function encodeDetails(file: LdsFile, spec: Spec, inputs: readonly AdditionalDetailInput[], tagList?: readonly number[]): Uint8Array {
  const resolved = inputs.map((input) => {
    const tag = tagOf(spec, input);
    const known = spec[tag];
    const binary = !known || known.binary === true;
    if (binary !== (input.value instanceof Uint8Array)) throw new RangeError(`field ${tag.toString(16)} takes ${binary ? 'bytes' : 'text'}`);
    const value = typeof input.value === 'string' ? encodeText(input.value, input.encoding ?? 'utf-8') : input.value;
    return { tag, value, grouped: Boolean(known?.grouped) && !input.ungrouped };
  });
  const objects: Uint8Array[] = [];
  const groupedTags = [...new Set(resolved.filter((r) => r.grouped).map((r) => r.tag))];
  if (groupedTags.length > 1) throw new RangeError('only one repeatable field can be grouped');
  let groupWritten = false;
  for (const r of resolved) {
    if (!r.grouped) {
      objects.push(encodeTlv(r.tag, r.value));
    } else if (!groupWritten) {
      const members = resolved.filter((m) => m.grouped);
      if (members.length > 255) throw new RangeError('an A0 group holds at most 255 entries');
      objects.push(encodeTlv(GROUP, [encodeTlv(COUNT, Uint8Array.of(members.length)), ...members.map((m) => encodeTlv(m.tag, m.value))]));
      groupWritten = true;
    }
  }
  const tags = tagList ?? [...new Set(resolved.map((r) => r.tag))];
  return encodeTlv(file.tag!, [encodeTlv(TAG_LIST, encodeTagList(tags)), ...objects]);
}

const DG11_FILE = DATA_GROUP_FILES[10]!;
const DG12_FILE = DATA_GROUP_FILES[11]!;

export function decodeDg11(bytes: Uint8Array): AdditionalDetails {
  return decodeDetails(bytes, DG11_FILE, DG11_FIELDS);
}

export function decodeDg12(bytes: Uint8Array): AdditionalDetails {
  return decodeDetails(bytes, DG12_FILE, DG12_FIELDS);
}

/** DG11 from fields; the tag list is computed from them unless given (to reproduce a chip's file). */
export function encodeDg11(fields: readonly AdditionalDetailInput[], tagList?: readonly number[]): Uint8Array {
  return encodeDetails(DG11_FILE, DG11_FIELDS, fields, tagList);
}

export function encodeDg12(fields: readonly AdditionalDetailInput[], tagList?: readonly number[]): Uint8Array {
  return encodeDetails(DG12_FILE, DG12_FIELDS, fields, tagList);
}

/** The first text value of `name`, or undefined. */
export function detailText(details: AdditionalDetails, name: AdditionalDetailName): string | undefined {
  const found = details.fields.find((f) => f.name === name && f.kind === 'text');
  return found?.kind === 'text' ? found.value : undefined;
}
