// DG11 and DG12: the optional tagged text fields, kept in the chip's order as a name → value
// list, with repeated names in their A0 group, Latin-1 from early issuers, and images as bytes.

import { describe, expect, it } from 'vitest';
import { decodeDg11, decodeDg12, detailText, encodeDg11, encodeDg12 } from '../../../../../native/emrtd/lds/index.js';
import { errorOf } from './lds-arbitraries.js';

const tlv = (tag: number[], value: number[]) => [...tag, ...(value.length < 0x80 ? [value.length] : [0x81, value.length]), ...value];
const text = (s: string) => [...Buffer.from(s, 'utf8')];

describe('DG11', () => {
  const bytes = Uint8Array.from(tlv([0x6b], [
    ...tlv([0x5c], [0x5f, 0x0e, 0x5f, 0x0f, 0x5f, 0x11, 0x5f, 0x42, 0x5f, 0x2b]),
    ...tlv([0x5f, 0x0e], text('ERIKSSON<<ANNA<MARIA')),
    ...tlv([0xa0], [...tlv([0x02], [2]), ...tlv([0x5f, 0x0f], text('ERIKSDOTTIR<<ANNA')), ...tlv([0x5f, 0x0f], text('ÉRIKSSON<<ANNA'))]),
    ...tlv([0x5f, 0x11], text('ZENITH<UTOPIA')),
    ...tlv([0x5f, 0x42], text('1 MAIN STREET<ZENITH<UTOPIA')),
    ...tlv([0x5f, 0x2b], text('19740812')),
  ]));

  it('reads the fields in order, the other names out of their group', () => {
    const dg11 = decodeDg11(bytes);
    expect(dg11.tagList).toEqual([0x5f0e, 0x5f0f, 0x5f11, 0x5f42, 0x5f2b]);
    expect(dg11.fields.map((f) => [f.name, f.value])).toEqual([
      ['fullName', 'ERIKSSON<<ANNA<MARIA'],
      ['otherName', 'ERIKSDOTTIR<<ANNA'],
      ['otherName', 'ÉRIKSSON<<ANNA'],
      ['placeOfBirth', 'ZENITH<UTOPIA'],
      ['permanentAddress', '1 MAIN STREET<ZENITH<UTOPIA'],
      ['fullDateOfBirth', '19740812'],
    ]);
    expect(detailText(dg11, 'placeOfBirth')).toBe('ZENITH<UTOPIA');
    expect(detailText(dg11, 'telephone')).toBeUndefined();
  });

  it('writes the same bytes from the same fields', () => {
    const dg11 = decodeDg11(bytes);
    expect(Buffer.from(encodeDg11(dg11.fields, dg11.tagList)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(encodeDg11(dg11.fields.map(({ name, value }) => ({ name, value })))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads a field that is not UTF-8 as ISO/IEC 8859-1 and says so', () => {
    const latin = Uint8Array.from(tlv([0x6b], [...tlv([0x5c], [0x5f, 0x11]), ...tlv([0x5f, 0x11], [0x5a, 0xfc, 0x52, 0x49, 0x43, 0x48])]));
    expect(decodeDg11(latin).fields[0]).toMatchObject({ name: 'placeOfBirth', value: 'ZüRICH', encoding: 'latin1' });
  });

  it.each([
    ['no tag list first', tlv([0x6b], tlv([0x5f, 0x0e], text('A'))), 'tag list'],
    ['a group count that disagrees', tlv([0x6b], [...tlv([0x5c], []), ...tlv([0xa0], [...tlv([0x02], [3]), ...tlv([0x5f, 0x0f], text('A'))])]), 'says 3 entries'],
    ['a group of non-repeatable fields', tlv([0x6b], [...tlv([0x5c], []), ...tlv([0xa0], [...tlv([0x02], [1]), ...tlv([0x5f, 0x0e], text('A'))])]), 'repeatable'],
  ])('refuses %s', (_case, file, reason) => {
    const error = errorOf(() => decodeDg11(Uint8Array.from(file)));
    expect(error).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG11' } });
    expect((error as Error).message).toContain(reason);
  });
});

describe('DG12', () => {
  it('reads issuing authority, date of issue and images', () => {
    const front = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);
    const bytes = encodeDg12([
      { name: 'issuingAuthority', value: 'UTOPIA PASSPORT OFFICE' },
      { name: 'dateOfIssue', value: '20240101' },
      { name: 'imageOfFront', value: front },
      { name: 'personalizationDateTime', value: '20231230120000' },
    ]);
    const dg12 = decodeDg12(bytes);
    expect(dg12.tagList).toEqual([0x5f19, 0x5f26, 0x5f1d, 0x5f55]);
    expect(detailText(dg12, 'issuingAuthority')).toBe('UTOPIA PASSPORT OFFICE');
    expect(detailText(dg12, 'dateOfIssue')).toBe('20240101');
    expect(dg12.fields[2]).toMatchObject({ name: 'imageOfFront', kind: 'binary', value: front });
  });

  it('keeps a field it does not know as bytes under its tag', () => {
    const dg12 = decodeDg12(encodeDg12([{ tag: 0x5f77, value: Uint8Array.of(1, 2) }]));
    expect(dg12.fields).toEqual([{ tag: 0x5f77, name: 'unknown', kind: 'binary', value: Uint8Array.of(1, 2) }]);
  });

  it('will not write text where an image belongs', () => {
    expect(() => encodeDg12([{ name: 'imageOfRear', value: 'not an image' }])).toThrow(RangeError);
  });
});
