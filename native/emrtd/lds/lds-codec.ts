// What every LDS file codec shares: unwrapping a file's outer data object, reading the
// objects inside it, and one error code (LDS_FILE_MALFORMED) that names the file and what is
// wrong with it. The decoders are strict on purpose: a file they accept re-encodes to the
// same bytes, so nothing they return can silently differ from what the chip holds.

import { DeviceError } from '../../device-error.js';
import { readTlv, readTlvs, type Tlv } from '../ber-tlv.js';
import type { LdsFile, LdsFileName } from './lds-files.js';

export function ldsError(file: LdsFileName, reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError('LDS_FILE_MALFORMED', `The chip's ${file} is malformed: ${reason}.`, { file, reason, ...details });
}

const hexTag = (tag: number): string => tag.toString(16).toUpperCase();

/** Runs a TLV read, turning the codec's CHIP_TLV_* errors into LDS_FILE_MALFORMED for `file`. */
export function withinFile<T>(file: LdsFileName, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DeviceError && error.code.startsWith('CHIP_TLV_')) {
      throw ldsError(file, error.message.replace(/^The chip sent a /, 'a ').replace(/\.$/, ''), { tlv: error.details });
    }
    throw error;
  }
}

/** The value of the file's outer object; the file holds that one object and nothing after it. */
export function unwrapLdsFile(bytes: Uint8Array, file: LdsFile): Uint8Array {
  return withinFile(file.name, () => {
    const { tlv, next } = readTlv(bytes, 0);
    if (tlv.tag !== file.tag) {
      throw ldsError(file.name, `it starts with tag ${hexTag(tlv.tag)}, not ${hexTag(file.tag ?? 0)}`, { tag: tlv.tag });
    }
    if (next !== bytes.length) throw ldsError(file.name, `${bytes.length - next} bytes follow its data object`);
    return tlv.value;
  });
}

/** The objects of a constructed value, with the file named in any error. */
export function readObjects(file: LdsFileName, value: Uint8Array): Tlv[] {
  return withinFile(file, () => readTlvs(value));
}

/** Exactly one object with `tag` among `objects`; absent or repeated is malformed. */
export function single(file: LdsFileName, objects: readonly Tlv[], tag: number, what: string): Uint8Array {
  const found = objects.filter((o) => o.tag === tag);
  if (found.length === 0) throw ldsError(file, `${what} (tag ${hexTag(tag)}) is missing`, { tag });
  if (found.length > 1) throw ldsError(file, `${what} (tag ${hexTag(tag)}) appears ${found.length} times`, { tag });
  return found[0]!.value;
}

/** Refuses objects other than `allowed` (a decoder that skipped them would not be faithful). */
export function onlyTags(file: LdsFileName, objects: readonly Tlv[], allowed: readonly number[], where: string): void {
  const stray = objects.find((o) => !allowed.includes(o.tag));
  if (stray) throw ldsError(file, `${where} holds an unexpected data object ${hexTag(stray.tag)}`, { tag: stray.tag });
}

/** A tag list (5C): tags written back to back in their BER form. */
export function readTagList(file: LdsFileName, value: Uint8Array): number[] {
  const tags: number[] = [];
  for (let at = 0; at < value.length;) {
    let tag = value[at++]!;
    if ((tag & 0x1f) === 0x1f) {
      let more = true;
      for (let count = 0; more; count++) {
        if (count === 2 || at >= value.length) throw ldsError(file, 'its tag list ends inside a tag');
        const byte = value[at++]!;
        tag = (tag << 8) | byte;
        more = (byte & 0x80) !== 0;
      }
    }
    tags.push(tag >>> 0);
  }
  return tags;
}

export function encodeTagList(tags: readonly number[]): Uint8Array {
  const bytes: number[] = [];
  for (const tag of tags) {
    if (tag > 0xffff) bytes.push(tag >>> 16, (tag >>> 8) & 0xff, tag & 0xff);
    else if (tag > 0xff) bytes.push(tag >>> 8, tag & 0xff);
    else bytes.push(tag);
  }
  return Uint8Array.from(bytes);
}

export const ascii = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
export const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
