// Basic Access Control against the worked example of ICAO Doc 9303 Part 11, Appendix D
// ("Worked example: Basic Access Control"), reader side and chip side.
//
// Edition: the text the search tool found is the Appendix D worked example whose specimen is
// document number "L898902C<", date of birth 690806, date of expiry 940623, i.e.
// "MRZ_information = L898902C<369080619406236" (D.2), "Kseed = 239AB9CB282DAF66231DC5A4DF6BFBAE",
// "Kenc = AB94FDECF2674FDFB9B391F85D7F76F2", "Kmac = 7962D9ECE03D1ACD4C76089DCE131543" (D.1),
// and for D.3 "RND.IC = 4608F91988702212", "RND.IFD = 781723860C06C226",
// "K.IFD = 0B795240CB7049B01C19B33E32804F0B", "EIFD = 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA
// 56A8799FAE2F498F76ED92F2", "MIFD = 5F1448EEA8AD90A7", "Response data = 46B9342A41396CD7386BF580
// 3104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449", "K.IC = 0B4F80323EB3191CB04970CB4052
// 790B", "Kseed = 0036D272F5C350ACAC50C3F572D23600", "KSenc = 979EC13B1CBFE9DCD01AB0FED307EAE5",
// "KSmac = F1CB1F1FB5ADF208806B89DC579DC1F8", "SSC = 887022120C06C226" — as quoted by public test
// suites citing https://www.icao.int/publications/Documents/9303_p11_cons_en.pdf. No key values
// were found for the eighth edition's specimen (L898902C3, 740812, 120415); its MRZ_information
// "L898902C3674081221204159" and the TD1 long-number note's "D23145890734934071279507122" are
// checked as strings.

import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { parseCommandApdu } from '../../../../native/transport/command-apdu.js';
import { bac, bacKeys, bacSessionKeys, mrzInformation, type MrzAccessFields } from '../../../../native/emrtd/bac.js';
import { BacChip } from '../../../../native/sim/emrtd/bac-chip.js';
import { pad, retailMac, tdesCbc } from '../../../../native/emrtd/chip-crypto.js';
import type { SecureMessaging } from '../../../../native/emrtd/secure-messaging.js';
import { failure, fixedRandom, hex, scriptedTransport, toHex } from './emrtd-fixtures.js';
import { SPECIMENS } from '../idreader/mrz/doc9303-specimens.js';

const SPECIMEN: MrzAccessFields = { documentNumber: 'L898902C', birthDate: '690806', expiryDate: '940623' };
const RND_IC = '4608F91988702212';
const RND_IFD = '781723860C06C226';
const K_IFD = '0B795240CB7049B01C19B33E32804F0B';
const K_IC = '0B4F80323EB3191CB04970CB4052790B';
const E_IFD = '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2';
const M_IFD = '5F1448EEA8AD90A7';
const CHIP_ANSWER = '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449';
const EXTERNAL_AUTHENTICATE = `0082000028${E_IFD}${M_IFD}28`;
const D4_SELECT_EF_COM = '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800';

describe('MRZ information and document basic access keys (D.1, D.2)', () => {
  it('builds MRZ_information with the filler and the three check digits', () => {
    expect(mrzInformation(SPECIMEN)).toBe('L898902C<369080619406236');
    expect(mrzInformation({ ...SPECIMEN, documentNumber: 'L898902C<' })).toBe('L898902C<369080619406236');
    expect(mrzInformation(SPECIMENS.td3!.fields)).toBe('L898902C3674081221204159');
    // TD1 with a 12-character number: the whole number and the check digit printed after its overflow.
    expect(mrzInformation(SPECIMENS.td1LongNumber!.fields)).toBe('D23145890734934071279507122');
  });

  it('derives Kseed, Kenc and Kmac', () => {
    const keys = bacKeys(SPECIMEN);
    expect(toHex(keys.kSeed)).toBe('239AB9CB282DAF66231DC5A4DF6BFBAE');
    expect(toHex(keys.kEnc)).toBe('AB94FDECF2674FDFB9B391F85D7F76F2');
    expect(toHex(keys.kMac)).toBe('7962D9ECE03D1ACD4C76089DCE131543');
  });

  it('matches the MRZ password of the 9303-11 Appendix G.1 PACE example (T22000129, 640812, 101031)', () => {
    const info = mrzInformation({ documentNumber: 'T22000129', birthDate: '640812', expiryDate: '101031' });
    expect(createHash('sha1').update(info).digest('hex').toUpperCase()).toBe('7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD');
  });

  it('refuses fields that cannot be in an MRZ, without echoing them', () => {
    for (const fields of [
      { ...SPECIMEN, documentNumber: 'L89 8902' }, { ...SPECIMEN, documentNumber: '' },
      { ...SPECIMEN, birthDate: '1969-08-06' }, { ...SPECIMEN, expiryDate: '9406' },
    ]) {
      let error: unknown;
      try {
        mrzInformation(fields);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'CHIP_BAC_BAD_MRZ' });
      expect((error as Error).message).not.toContain('L89');
    }
  });
});

describe('BAC, reader side (D.3)', () => {
  it('sends GET CHALLENGE and the worked example\'s EXTERNAL AUTHENTICATE, and ends at the D.3 session keys and SSC', async () => {
    const transport = scriptedTransport([
      ['0084000008', `${RND_IC}9000`],
      [EXTERNAL_AUTHENTICATE, `${CHIP_ANSWER}9000`],
      [D4_SELECT_EF_COM, '990290008E08FA855A5D4C50A8ED9000'],
    ]);
    const sm = await bac(transport, SPECIMEN, { random: fixedRandom(RND_IFD, K_IFD) });
    expect(sm.cipher).toBe('3des');
    expect(toHex(sm.ssc)).toBe('887022120C06C226');
    // The session keys show in the first protected command of D.4, byte for byte.
    const select = sm.protectCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: hex('011E') });
    expect(sm.unprotectResponse(await transport.transmit(select))).toEqual({ data: new Uint8Array(0), sw: 0x9000 });
    transport.assertConsumed();
  });

  it('derives KSenc, KSmac and SSC from K.IFD ⊕ K.IC', () => {
    const keys = bacSessionKeys(hex(K_IFD), hex(K_IC), hex(RND_IC), hex(RND_IFD));
    expect(toHex(keys.ksEnc)).toBe('979EC13B1CBFE9DCD01AB0FED307EAE5');
    expect(toHex(keys.ksMac)).toBe('F1CB1F1FB5ADF208806B89DC579DC1F8');
    expect(toHex(keys.ssc!)).toBe('887022120C06C226');
    const seed = hex(K_IFD).map((byte, i) => byte ^ hex(K_IC)[i]!);
    expect(toHex(seed)).toBe('0036D272F5C350ACAC50C3F572D23600');
  });

  it('reports a wrong MRZ (the chip\'s 6300) as CHIP_BAC_DENIED', async () => {
    const transport = scriptedTransport([['0084000008', `${RND_IC}9000`], [EXTERNAL_AUTHENTICATE, '6300']]);
    const error = await failure(bac(transport, SPECIMEN, { random: fixedRandom(RND_IFD, K_IFD) }));
    expect(error.code).toBe('CHIP_BAC_DENIED');
    expect(error.message).toMatch(/document number, date of birth and date of expiry/);
  });

  it('refuses a chip answer whose MAC fails, or that does not echo RND.IFD', async () => {
    const tampered = hex(CHIP_ANSWER);
    tampered[3]! ^= 0x40;
    const macFails = scriptedTransport([['0084000008', `${RND_IC}9000`], [EXTERNAL_AUTHENTICATE, `${toHex(tampered)}9000`]]);
    expect((await failure(bac(macFails, SPECIMEN, { random: fixedRandom(RND_IFD, K_IFD) }))).code).toBe('CHIP_BAC_MAC');

    // A correctly MACed answer over RND.IC ‖ (not our RND.IFD) ‖ K.IC.
    const { kEnc, kMac } = bacKeys(SPECIMEN);
    const encrypted = tdesCbc(kEnc, hex(`${RND_IC}0000000000000000${K_IC}`), true);
    const wrongEcho = toHex(Buffer.concat([encrypted, retailMac(kMac, pad(encrypted, 8))]));
    const echoFails = scriptedTransport([['0084000008', `${RND_IC}9000`], [EXTERNAL_AUTHENTICATE, `${wrongEcho}9000`]]);
    expect((await failure(bac(echoFails, SPECIMEN, { random: fixedRandom(RND_IFD, K_IFD) }))).code).toBe('CHIP_BAC_MISMATCH');
  });

  it('tells a chip without BAC apart (no challenge)', async () => {
    const transport = scriptedTransport([['0084000008', '6D00']]);
    expect(await failure(bac(transport, SPECIMEN))).toMatchObject({ code: 'CHIP_BAC_NOT_SUPPORTED', details: { sw: '6D00' } });
  });
});

describe('BAC, chip side (D.3)', () => {
  it('answers the worked example\'s commands with the worked example\'s RND.IC and response data', () => {
    const chip = new BacChip(SPECIMEN, { random: fixedRandom(RND_IC, K_IC) });
    const challenge = chip.answer(parseCommandApdu(hex('0084000008')))!;
    expect(toHex(challenge.response.data)).toBe(RND_IC);
    const authenticated = chip.answer(parseCommandApdu(hex(EXTERNAL_AUTHENTICATE)))!;
    expect(authenticated.response.sw).toBe(0x9000);
    expect(toHex(authenticated.response.data)).toBe(CHIP_ANSWER);
    const sm = authenticated.secureMessaging!;
    expect(toHex(sm.ssc)).toBe('887022120C06C226');
    expect(sm.unprotectCommand(hex(D4_SELECT_EF_COM))).toMatchObject({ ins: 0xa4, data: hex('011E') });
    expect(toHex(sm.protectResponse({ data: new Uint8Array(0), sw: 0x9000 }))).toBe('990290008E08FA855A5D4C50A8ED9000');
  });

  it('refuses a wrong key with 6300, a second try on the same challenge with 6985, and ignores other commands', () => {
    const chip = new BacChip({ ...SPECIMEN, birthDate: '690807' }, { random: fixedRandom(RND_IC, RND_IC) });
    chip.answer(parseCommandApdu(hex('0084000008')));
    expect(chip.answer(parseCommandApdu(hex(EXTERNAL_AUTHENTICATE)))).toEqual({ response: { data: new Uint8Array(0), sw: 0x6300 } });
    expect(chip.answer(parseCommandApdu(hex(EXTERNAL_AUTHENTICATE)))!.response.sw).toBe(0x6985);
    expect(chip.answer(parseCommandApdu(hex('0084000010')))!.response.sw).toBe(0x6700);
    expect(chip.answer(parseCommandApdu(hex('00A4020C02011E')))).toBeUndefined();
  });

  it('reader and chip agree on keys for any MRZ and any randoms', async () => {
    const fields: MrzAccessFields = { documentNumber: 'X1234567', birthDate: '010203', expiryDate: '300405' };
    const chip = new BacChip(fields);
    let chipSm: ReturnType<BacChip['answer']>;
    const transport = {
      description: 'BAC chip',
      async transmit(bytes: Uint8Array) {
        chipSm = chip.answer(parseCommandApdu(bytes));
        const { data, sw } = chipSm!.response;
        return Uint8Array.from([...data, sw >> 8, sw & 0xff]);
      },
    };
    const reader: SecureMessaging = await bac(transport, fields);
    const command = reader.protectCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 });
    expect(chipSm!.secureMessaging!.unprotectCommand(command)).toMatchObject({ ne: 4 });
    expect(reader.unprotectResponse(chipSm!.secureMessaging!.protectResponse({ data: hex('60145F01'), sw: 0x9000 })))
      .toEqual({ data: hex('60145F01'), sw: 0x9000 });
  });
});
