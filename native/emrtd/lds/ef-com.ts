// EF.COM (9303-10 §4.6.1): the LDS version, the Unicode version and the list of data groups
// present, by their tags. The session uses the list to know what to read; Passive
// Authentication does not rely on it (EF.COM is not covered by the SOD).

import { dataGroupFile, dataGroupForTag, EF_COM, type DataGroupNumber } from './lds-files.js';
import { encodeTlv } from '../ber-tlv.js';
import { ascii, asciiBytes, encodeTagList, ldsError, onlyTags, readObjects, readTagList, single, unwrapLdsFile } from './lds-codec.js';

const LDS_VERSION = 0x5f01;
const UNICODE_VERSION = 0x5f36;
const TAG_LIST = 0x5c;

export interface EfCom {
  /** Four digits "aabb" for LDS version aa.bb: "0107" is LDS 1.7, "0108" LDS 1.8. */
  ldsVersion: string;
  /** Six digits "aabbcc" for Unicode aa.bb.cc: "040000" is Unicode 4.0.0. */
  unicodeVersion: string;
  /** The data groups present, in the order the tag list names them. */
  dataGroups: DataGroupNumber[];
}

export function decodeEfCom(bytes: Uint8Array): EfCom {
  const objects = readObjects('EF.COM', unwrapLdsFile(bytes, EF_COM));
  onlyTags('EF.COM', objects, [LDS_VERSION, UNICODE_VERSION, TAG_LIST], 'EF.COM');
  const ldsVersion = ascii(single('EF.COM', objects, LDS_VERSION, 'the LDS version'));
  const unicodeVersion = ascii(single('EF.COM', objects, UNICODE_VERSION, 'the Unicode version'));
  if (!/^\d{4}$/.test(ldsVersion)) throw ldsError('EF.COM', 'the LDS version is not four digits');
  if (!/^\d{6}$/.test(unicodeVersion)) throw ldsError('EF.COM', 'the Unicode version is not six digits');
  const dataGroups = readTagList('EF.COM', single('EF.COM', objects, TAG_LIST, 'the tag list')).map((tag) => {
    const dataGroup = dataGroupForTag(tag);
    if (dataGroup === null) throw ldsError('EF.COM', `its tag list names ${tag.toString(16).toUpperCase()}, which is no data group`, { tag });
    return dataGroup;
  });
  if (new Set(dataGroups).size !== dataGroups.length) throw ldsError('EF.COM', 'its tag list names a data group twice');
  return { ldsVersion, unicodeVersion, dataGroups };
}

/** EF.COM for `dataGroups`; LDS 1.7 and Unicode 4.0.0 unless given. */
export function encodeEfCom({ ldsVersion = '0107', unicodeVersion = '040000', dataGroups }: {
  ldsVersion?: string;
  unicodeVersion?: string;
  dataGroups: readonly number[];
}): Uint8Array {
  if (!/^\d{4}$/.test(ldsVersion) || !/^\d{6}$/.test(unicodeVersion)) throw new RangeError('EF.COM versions are 4 and 6 digits');
  const tags = dataGroups.map((n) => dataGroupFile(n).tag!);
  return encodeTlv(EF_COM.tag!, [
    encodeTlv(LDS_VERSION, asciiBytes(ldsVersion)),
    encodeTlv(UNICODE_VERSION, asciiBytes(unicodeVersion)),
    encodeTlv(TAG_LIST, encodeTagList(tags)),
  ]);
}

/** "0107" → "1.7". */
export function formatLdsVersion(ldsVersion: string): string {
  return `${Number(ldsVersion.slice(0, 2))}.${Number(ldsVersion.slice(2, 4))}`;
}
