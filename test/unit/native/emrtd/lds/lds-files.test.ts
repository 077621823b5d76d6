// The LDS file table (9303-10 §4.6–4.7): identifiers, short identifiers and tags as the
// session and the simulator use them, and EF.COM, the directory of data groups.

import { describe, expect, it } from 'vitest';
import {
  DATA_GROUP_FILES, EF_CARD_ACCESS, EF_COM, EF_SOD, EMRTD_AID, dataGroupFile, dataGroupForTag, decodeEfCom, encodeEfCom, formatLdsVersion,
  ldsFileByFid,
} from '../../../../../native/emrtd/lds/index.js';
import { errorOf } from './lds-arbitraries.js';

describe('LDS file table', () => {
  it('has the identifiers 9303 assigns', () => {
    expect(Buffer.from(EMRTD_AID).toString('hex')).toBe('a0000002471001');
    expect(EF_COM).toMatchObject({ fid: 0x011e, sfi: 0x1e, tag: 0x60 });
    expect(EF_SOD).toMatchObject({ fid: 0x011d, sfi: 0x1d, tag: 0x77 });
    expect(EF_CARD_ACCESS).toMatchObject({ fid: 0x011c, sfi: 0x1c, tag: null });
    expect(DATA_GROUP_FILES.map((f) => f.fid)).toEqual(Array.from({ length: 16 }, (_, i) => 0x0101 + i));
    expect(DATA_GROUP_FILES.map((f) => f.sfi)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(DATA_GROUP_FILES.map((f) => f.tag!.toString(16))).toEqual(
      ['61', '75', '63', '76', '65', '66', '67', '68', '69', '6a', '6b', '6c', '6d', '6e', '6f', '70'],
    );
  });

  it('maps tags and identifiers back to files', () => {
    expect(dataGroupForTag(0x75)).toBe(2);
    expect(dataGroupForTag(0x6f)).toBe(15);
    expect(dataGroupForTag(0x77)).toBeNull();
    expect(ldsFileByFid(0x010b)?.name).toBe('DG11');
    expect(dataGroupFile(14).name).toBe('DG14');
    expect(() => dataGroupFile(17)).toThrow(RangeError);
  });
});

describe('EF.COM', () => {
  const example = '60165f0104303130375f36063034303030305c0461756b6c';

  it('writes LDS 1.7, Unicode 4.0.0 and the tag list byte for byte', () => {
    expect(Buffer.from(encodeEfCom({ dataGroups: [1, 2, 11, 12] })).toString('hex')).toBe(example);
  });

  it('reads the versions and the data groups', () => {
    const com = decodeEfCom(Buffer.from(example, 'hex'));
    expect(com).toEqual({ ldsVersion: '0107', unicodeVersion: '040000', dataGroups: [1, 2, 11, 12] });
    expect(formatLdsVersion(com.ldsVersion)).toBe('1.7');
  });

  it.each([
    ['a tag that is no data group', '60165f0104303130375f36063034303030305c0461756b77', 'its tag list names 77'],
    ['a data group listed twice', '60165f0104303130375f36063034303030305c0461757561', 'twice'],
    ['a version that is not digits', '60165f01043031303a5f36063034303030305c0461756b6c', 'four digits'],
    ['no Unicode version', '600d5f0104303130375c0461756b6c', 'Unicode version'],
  ])('refuses %s', (_case, hex, reason) => {
    const error = errorOf(() => decodeEfCom(Buffer.from(hex, 'hex')));
    expect(error).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'EF.COM' } });
    expect((error as Error).message).toContain(reason);
  });
});
