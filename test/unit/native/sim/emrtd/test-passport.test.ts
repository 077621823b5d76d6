// The test passport's files as the chip simulator serves them: every file under its file
// identifier, each readable by the LDS codecs, EF.SOD covering the data groups, and the
// alteration knob changing exactly one byte.

import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  decodeDg1, decodeDg11, decodeDg12, decodeDg14, decodeDg15, decodeDg2, decodeEfCom,
} from '../../../../../native/emrtd/lds/index.js';
import { decodeSod } from '../../../../../native/emrtd/sod.js';
import { passiveAuthentication } from '../../../../../native/emrtd/passive-authentication.js';
import { createTestPki } from '../../../../../native/sim/emrtd/test-pki.js';
import { buildScenarioPassport, buildTestPassport, specimenMrz } from '../../../../../native/sim/emrtd/test-passport.js';
import { testPortraitJpeg } from '../../../../../native/sim/emrtd/test-portrait.js';

const now = new Date('2026-03-01T00:00:00Z');
const pki = createTestPki({ now });
const spki = pki.documentSigners.p256.certificate.subjectPublicKeyInfo;

describe('test passport', () => {
  const passport = buildTestPassport({
    documentSigner: pki.documentSigners.brainpoolP256r1,
    now,
    dg11: [{ name: 'fullName', value: 'ERIKSSON<<ANNA<MARIA' }, { name: 'placeOfBirth', value: 'ZENITH' }],
    dg12: [{ name: 'issuingAuthority', value: 'UTOPIA' }, { name: 'dateOfIssue', value: '20250301' }],
    dg14: Uint8Array.of(0x31, 0x00),
    dg15: spki,
    cardAccess: Uint8Array.of(0x31, 0x00),
  });

  it('serves every file under its identifier', () => {
    expect([...passport.files.keys()].sort((a, b) => a - b).map((fid) => fid.toString(16))).toEqual(
      ['101', '102', '10b', '10c', '10e', '10f', '11c', '11d', '11e'],
    );
    expect(decodeEfCom(passport.files.get(0x011e)!).dataGroups).toEqual([1, 2, 11, 12, 14, 15]);
  });

  it('holds data groups the codecs read back', () => {
    const dg1 = decodeDg1(passport.dataGroups.get(1)!, { now });
    expect(dg1.lines).toEqual(specimenMrz(now));
    expect(dg1.parsed).toMatchObject({ valid: true, checks: { notExpired: true }, fields: { documentNumber: 'L898902C3', surname: 'ERIKSSON' } });
    const portrait = decodeDg2(passport.dataGroups.get(2)!).portrait;
    expect(portrait).toMatchObject({ format: 'jpeg', width: testPortraitJpeg().width, height: testPortraitJpeg().height });
    expect(jpeg.decode(Buffer.from(portrait.image)).width).toBe(portrait.width);
    expect(decodeDg11(passport.dataGroups.get(11)!).fields.map((f) => f.value)).toEqual(['ERIKSSON<<ANNA<MARIA', 'ZENITH']);
    expect(decodeDg12(passport.dataGroups.get(12)!).fields.map((f) => f.name)).toEqual(['issuingAuthority', 'dateOfIssue']);
    expect(decodeDg14(passport.dataGroups.get(14)!).securityInfos).toEqual(Uint8Array.of(0x31, 0x00));
    expect(Buffer.from(decodeDg15(passport.dataGroups.get(15)!).subjectPublicKeyInfo).equals(Buffer.from(spki))).toBe(true);
  });

  it('has an EF.SOD over every data group that passes Passive Authentication', () => {
    expect([...decodeSod(passport.sod).securityObject.dataGroupHashes.keys()]).toEqual([1, 2, 11, 12, 14, 15]);
    expect(passiveAuthentication({ sod: passport.sod, dataGroups: passport.dataGroups, trustStore: pki.trustStore(), at: now }).status).toBe('valid');
  });

  it('changes exactly one MRZ letter of DG1 when asked to alter it, keeping it readable', () => {
    const genuine = buildScenarioPassport(pki, 'valid').dataGroups.get(1)!;
    const altered = buildScenarioPassport(pki, 'altered-dg1').dataGroups.get(1)!;
    expect([...altered].filter((b, i) => b !== genuine[i])).toHaveLength(1);
    expect(decodeDg1(altered, { now }).parsed.fields.surname).toBe('XRIKSSON');
  });

  it('takes a JPEG 2000 portrait and a TD1 MRZ', () => {
    const jp2 = Uint8Array.of(0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 1, 2, 3);
    const td1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F3101019UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
    const passport = buildTestPassport({ documentSigner: pki.documentSigners.p256, portrait: { image: jp2, width: 413, height: 531 }, mrz: td1 });
    expect(decodeDg2(passport.dataGroups.get(2)!).portrait).toMatchObject({ format: 'jp2', width: 413, height: 531 });
    expect(decodeDg1(passport.dataGroups.get(1)!).parsed.format).toBe('TD1');
  });
});
