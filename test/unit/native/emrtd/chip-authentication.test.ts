// Chip Authentication v1 (ECDH) between the reader and the chip side in memory, after PACE:
// MSE:Set KAT for 3DES, MSE:Set AT + GENERAL AUTHENTICATE for AES, new keys from SSC 0, the
// confirming READ BINARY under them; a chip without the private key DG14 names is caught.

import { describe, expect, it } from 'vitest';
import { performChipAuthentication, planChipAuthentication } from '../../../../native/emrtd/chip-authentication.js';
import { ecDomain, type CurveName } from '../../../../native/emrtd/ec-curves.js';
import { performPace } from '../../../../native/emrtd/pace.js';
import {
  chipAuthenticationInfo, chipAuthenticationProtocolOid, encodeSecurityInfos, paceInfo, paceProtocolOid, parseSecurityInfos, SecurityProtocolOid,
  type SecurityInfo,
} from '../../../../native/emrtd/security-infos.js';
import { chipAuthenticationSecurityInfos, type ChipAuthenticationKey } from '../../../../native/sim/emrtd/chip-authentication-chip.js';
import type { ChipFile } from '../../../../native/sim/emrtd/chip-file-system.js';
import { VirtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { loggingTransport, seededRandom, toHex } from './emrtd-fixtures.js';

const MRZ = { documentNumber: 'L898902C3', birthDate: '740812', expiryDate: '120415' } as const;
const CARD_ACCESS = [paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-128'), 12)];
const EF_COM: ChipFile = { fileId: 0x011e, shortFileId: 0x1e, content: Uint8Array.of(0x60, 0x05, 0x5f, 0x01, 0x02, 0x30, 0x37) };

function caKey(curve: CurveName, cipher: '3des' | 'aes-128' | 'aes-256', privateKey: bigint, keyId?: number): ChipAuthenticationKey {
  return { curve: ecDomain(curve), privateKey, protocol: chipAuthenticationProtocolOid('ECDH', cipher), ...(keyId === undefined ? {} : { keyId }) };
}

/** DG14 as the reader sees it: encoded by the chip's side, parsed back. */
const dg14 = (infos: SecurityInfo[]) => parseSecurityInfos(encodeSecurityInfos(infos));

async function afterPace(chipKeys: ChipAuthenticationKey[]) {
  const chip = loggingTransport(new VirtualChip({
    pace: { cardAccess: CARD_ACCESS, mrz: MRZ }, chipAuthenticationKeys: chipKeys, files: [EF_COM], random: seededRandom(3),
  }));
  const { session } = await performPace(chip, CARD_ACCESS, { kind: 'mrz', fields: MRZ }, { random: seededRandom(4) });
  const select = session.unprotectResponse(await chip.transmit(session.protectCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Uint8Array.of(0xa0, 0, 0, 2, 0x47, 0x10, 1) })));
  expect(select.sw).toBe(0x9000);
  return { chip, session };
}

const header = (command: Uint8Array) => toHex(command.subarray(0, 4));

describe('Chip Authentication in memory', () => {
  it('AES: MSE:Set AT + GENERAL AUTHENTICATE, then secure messaging restarts under the new keys', async () => {
    const key = caKey('brainpoolP256r1', 'aes-128', 0x1234567890abcdefn);
    const { chip, session } = await afterPace([key]);
    const sent = chip.commands.length;
    const result = await performChipAuthentication(chip, session, dg14(chipAuthenticationSecurityInfos(key)), { random: seededRandom(9) });
    expect(result).toMatchObject({ performed: true, verified: true, curve: 'brainpoolP256r1', suite: { name: 'id-CA-ECDH-AES-CBC-CMAC-128' } });
    expect(chip.commands.slice(sent).map(header)).toEqual(['0C2241A4', '0C860000', '0CB09E00']);
    if (!result.performed) throw new Error('unreachable');
    expect(session.isOpen).toBe(false);
    expect(result.session).not.toBe(session);
    // The confirming READ BINARY used SSC 1/2; the next exchange goes on from there.
    expect(toHex(result.session.ssc)).toBe(`${'00'.repeat(15)}02`);
    const read = result.session.unprotectResponse(await chip.transmit(result.session.protectCommand({ cla: 0, ins: 0xb0, p1: 0x9e, p2: 0, ne: 7 })));
    expect(toHex(read.data)).toBe(toHex(EF_COM.content));
  });

  it('3DES: MSE:Set KAT with the key id, and a 3DES session follows the AES one', async () => {
    const keys = [caKey('P-256', 'aes-256', 77n, 1), caKey('P-256', '3des', 0xdeadbeefn, 2)];
    const { chip, session } = await afterPace(keys);
    // DG14 lists both keys but only the 3DES protocol (as older passports do).
    const infos = [chipAuthenticationInfo(keys[1]!.protocol, 2), ...chipAuthenticationSecurityInfos(keys[0]!).slice(1), ...chipAuthenticationSecurityInfos(keys[1]!).slice(1)];
    const sent = chip.commands.length;
    const result = await performChipAuthentication(chip, session, dg14(infos), { random: seededRandom(10) });
    expect(result).toMatchObject({ performed: true, verified: true, keyId: 2, suite: { cipher: '3des' } });
    expect(chip.commands.slice(sent).map(header)).toEqual(['0C2241A6', '0CB09E00']);
    if (result.performed) expect(result.session.cipher).toBe('3des');
  });

  it('assumes 3DES when DG14 has a key but no ChipAuthenticationInfo', async () => {
    const key = caKey('brainpoolP384r1', '3des', 31337n);
    const { chip, session } = await afterPace([key]);
    const result = await performChipAuthentication(chip, session, dg14(chipAuthenticationSecurityInfos(key, 'named').slice(1)), { random: seededRandom(12) });
    expect(result).toMatchObject({ performed: true, verified: true, protocol: '0.4.0.127.0.7.2.2.3.2.1' });
  });

  it('catches a chip that does not hold the private key DG14 names (verified: false, session closed)', async () => {
    const advertised = caKey('brainpoolP256r1', 'aes-128', 1111n);
    const { chip, session } = await afterPace([{ ...advertised, privateKey: 2222n }]);
    const result = await performChipAuthentication(chip, session, dg14(chipAuthenticationSecurityInfos(advertised)), { random: seededRandom(9) });
    expect(result).toMatchObject({ performed: true, verified: false, failure: expect.stringContaining('CHIP_SM_') });
    if (result.performed) expect(result.session.isOpen).toBe(false);
  });

  it('reports a chip refusing CA (no such key: 6A88) as performed but not verified, keeping the old session', async () => {
    const { chip, session } = await afterPace([]);
    const result = await performChipAuthentication(chip, session, dg14(chipAuthenticationSecurityInfos(caKey('P-256', 'aes-128', 5n))), { random: seededRandom(9) });
    expect(result).toMatchObject({ performed: true, verified: false, failure: expect.stringContaining('6A88 to INS 22') });
    if (result.performed) {
      expect(result.session).toBe(session);
      expect(session.isOpen).toBe(true);
    }
  });
});

describe('planning Chip Authentication from DG14', () => {
  it('is not offered without a public key', () => {
    expect(planChipAuthentication([])).toMatchObject({ performed: false, reason: 'not-offered' });
  });

  it('reports DH keys and CA versions other than 1 as unsupported', () => {
    const dhKey: SecurityInfo = {
      type: 'ChipAuthenticationPublicKeyInfo', protocol: SecurityProtocolOid.pkDh, keyAgreement: 'DH',
      publicKey: { algorithm: { oid: '1.2.840.10046.2.1', parameters: null }, subjectPublicKey: Uint8Array.of(2, 1, 5) },
    };
    expect(planChipAuthentication([dhKey])).toMatchObject({ performed: false, reason: 'unsupported', detail: expect.stringContaining('Diffie-Hellman') });
    const key = caKey('P-256', 'aes-128', 9n);
    const [info, publicKey] = chipAuthenticationSecurityInfos(key);
    expect(planChipAuthentication([{ ...info!, version: 2 } as SecurityInfo, publicKey!]))
      .toMatchObject({ performed: false, reason: 'unsupported', detail: expect.stringContaining('version 2') });
  });

  it('prefers AES to 3DES and matches keys by id', () => {
    const a = caKey('P-256', '3des', 3n, 1);
    const b = caKey('brainpoolP256r1', 'aes-128', 4n, 2);
    const plan = planChipAuthentication([...chipAuthenticationSecurityInfos(a), ...chipAuthenticationSecurityInfos(b)]);
    expect(plan).toMatchObject({ keyId: 2, suite: { cipher: 'aes-128' } });
    expect('curve' in plan && plan.curve.name).toBe('brainpoolP256r1');
  });
});
