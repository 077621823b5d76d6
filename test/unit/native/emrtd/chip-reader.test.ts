// readChip against the in-process virtual chip: every simulator scenario end to end (PACE or
// BAC, the files in reading order, DG1 and the portrait, Passive Authentication's verdict, Chip
// Authentication), PACE on brainpool and NIST curves, the typed errors a person at the kiosk
// acts on (wrong key, CAN needed, MRZ needed, card pulled), and the JSON summary.

import { describe, expect, it } from 'vitest';
import { describeChipReading } from '../../../../native/emrtd/chip-reader.js';
import { testPortraitJpeg } from '../../../../native/sim/emrtd/test-portrait.js';
import { CHIP_SCENARIOS, virtualChip, type ChipScenario, type VirtualChipOptions } from '../../../../native/sim/emrtd/virtual-chip.js';
import { CAN_KEY, MRZ, MRZ_KEY, NOW, pki, read } from './chip-fixtures.js';
import { failure, loggingTransport, seededRandom } from './emrtd-fixtures.js';

const chipOf = (scenario: ChipScenario, options: Partial<VirtualChipOptions> = {}) =>
  virtualChip(scenario, { pki, mrz: MRZ, now: NOW, random: seededRandom(31), ...options });

describe('readChip, a valid passport', () => {
  it('opens it with PACE (brainpoolP256r1, AES-128), proves the chip with Chip Authentication and verifies it against the CSCA', async () => {
    const reading = await read(chipOf('valid'));
    expect(reading.access).toEqual({ protocol: 'PACE', password: 'mrz', detail: 'id-PACE-ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1' });
    expect(reading.files.map((file) => file.name)).toEqual(['EF.CardAccess', 'EF.COM', 'DG14', 'DG1', 'DG2', 'DG11', 'DG12', 'EF.SOD']);
    expect(reading.dg1.mrz).toBe(MRZ.join(''));
    expect(reading.dg1.parsed).toMatchObject({ valid: true, fields: { surname: 'MUSTERFRAU', givenNames: 'ERIKA ANNA' } });
    const portrait = testPortraitJpeg();
    expect(reading.portrait).toMatchObject({ format: 'jpeg', width: portrait.width, height: portrait.height });
    expect(Buffer.from(reading.portrait!.bytes).equals(Buffer.from(portrait.image))).toBe(true);
    expect(reading.passiveAuthentication).toMatchObject({
      status: 'valid', csca: { country: 'UT', subject: expect.stringContaining('CSCA Utopia') }, dataGroupsVerified: [1, 2, 11, 12, 14],
    });
    expect(reading.chipAuthentication).toEqual({ performed: true, verified: true, protocol: 'id-CA-ECDH-AES-CBC-CMAC-128, brainpoolP256r1' });
    expect(reading.activeAuthentication).toMatchObject({ performed: false, reason: 'not-needed' });
    expect(reading.durationMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['P-256', 'aes-128', 'id-PACE-ECDH-GM-AES-CBC-CMAC-128, P-256'],
    ['brainpoolP384r1', 'aes-256', 'id-PACE-ECDH-GM-AES-CBC-CMAC-256, brainpoolP384r1'],
    ['brainpoolP256r1', '3des', 'id-PACE-ECDH-GM-3DES-CBC-CBC, brainpoolP256r1'],
  ] as const)('runs PACE on %s with %s', async (curve, cipher, detail) => {
    const reading = await read(chipOf('valid', { pace: { curve, cipher } }));
    expect(reading.access.detail).toBe(detail);
    expect(reading.passiveAuthentication.status).toBe('valid');
  });

  it('hands over a JPEG 2000 portrait as the chip holds it, with the size DG2 gives', async () => {
    const jp2 = Uint8Array.of(0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 1, 2, 3);
    const reading = await read(chipOf('valid', { portrait: { image: jp2, width: 413, height: 531 } }));
    expect(reading.portrait).toEqual({ format: 'jpeg2000', bytes: jp2, width: 413, height: 531 });
    expect(reading.passiveAuthentication.status).toBe('valid');
  });

  it.each(['rsa', 'rsa-pss', 'brainpoolP256r1', 'explicit-brainpoolP256r1'] as const)('verifies a passport whose Document Signer is %s', async (signer) => {
    expect((await read(chipOf('valid', { signer }))).passiveAuthentication).toMatchObject({ status: 'valid', csca: { country: 'UT' } });
  });

  it('opens it with the card access number too', async () => {
    expect((await read(chipOf('valid'), CAN_KEY)).access).toMatchObject({ protocol: 'PACE', password: 'can' });
  });

  it('runs Active Authentication when the chip has a DG15 key and no DG14', async () => {
    const reading = await read(chipOf('valid', { cloneCheck: 'active-authentication' }));
    expect(reading.files.map((file) => file.name)).toEqual(['EF.CardAccess', 'EF.COM', 'DG1', 'DG2', 'DG11', 'DG12', 'DG15', 'EF.SOD']);
    expect(reading.chipAuthentication).toMatchObject({ performed: false, reason: 'not-offered' });
    expect(reading.activeAuthentication).toEqual({ performed: true, verified: true, protocol: 'RSA, ISO/IEC 9796-2 scheme 1 with SHA1' });
    expect(reading.passiveAuthentication).toMatchObject({ status: 'valid', dataGroupsVerified: [1, 2, 11, 12, 15] });
  });

  it('reads in fewer, extended-length commands when the reader takes them', async () => {
    const reads = async (extendedLength: boolean) => {
      const chip = loggingTransport(chipOf('valid'));
      expect((await read(chip, MRZ_KEY, { extendedLength })).passiveAuthentication.status).toBe('valid');
      return chip.commands.filter((command) => command[1] === 0xb0).length;
    };
    const short = await reads(false);
    const extended = await reads(true);
    // DG2 alone takes some 70 short reads of 223 bytes and 5 extended ones of 4 KB.
    expect(short - extended).toBeGreaterThan(60);
  });

  it('sums it up as plain JSON for `gatehouse chip read --json`', async () => {
    const summary = describeChipReading(await read(chipOf('valid')));
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary).toMatchObject({
      access: { protocol: 'PACE', password: 'mrz' },
      dg1: {
        format: 'TD3', documentCode: 'P', issuingState: 'UTO', surname: 'MUSTERFRAU', givenNames: 'ERIKA ANNA', birthDate: '1985-03-12', sex: 'F', checkDigitsValid: true,
      },
      portrait: { format: 'jpeg', width: testPortraitJpeg().width, height: testPortraitJpeg().height, bytes: testPortraitJpeg().image.length },
      passiveAuthentication: { status: 'valid', csca: { country: 'UT' } },
      chipAuthentication: { performed: true, verified: true },
    });
    expect(summary.files.find((file) => file.name === 'DG2')!.bytes).toBeGreaterThan(testPortraitJpeg().image.length);
  });
});

describe('readChip, the simulator\'s scenarios', () => {
  it('knows every scenario the kiosk offers', () => {
    expect(CHIP_SCENARIOS).toEqual(['valid', 'altered-dg1', 'rogue-ds', 'expired-ds', 'unknown-csca', 'no-pace', 'can-only', 'removed-mid-read']);
  });

  it('altered-dg1: Passive Authentication fails on DG1\'s hash, the altered MRZ is still read', async () => {
    const reading = await read(chipOf('altered-dg1'));
    expect(reading.passiveAuthentication).toMatchObject({ status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 1, dataGroupsMismatched: [1] });
    expect(reading.dg1.mrz).not.toBe(MRZ.join(''));
    expect(reading.chipAuthentication).toMatchObject({ performed: true, verified: true });
  });

  it('rogue-ds: the Document Signer was not issued by the CSCA it names', async () => {
    expect((await read(chipOf('rogue-ds'))).passiveAuthentication).toMatchObject({ status: 'failed', reason: 'chain-invalid' });
  });

  it('expired-ds: the Document Signer certificate has expired', async () => {
    expect((await read(chipOf('expired-ds'))).passiveAuthentication).toMatchObject({ status: 'failed', reason: 'expired', certificate: 'document-signer' });
  });

  it('unknown-csca: signed in a country the trust store does not hold', async () => {
    expect((await read(chipOf('unknown-csca'))).passiveAuthentication).toMatchObject({
      status: 'not-verifiable', reason: 'no-csca-for-country', country: 'ZZ',
    });
  });

  it('no-pace: BAC with the MRZ, no EF.CardAccess', async () => {
    const reading = await read(chipOf('no-pace'));
    expect(reading.access).toEqual({ protocol: 'BAC', password: 'mrz', detail: 'BAC (3DES)' });
    expect(reading.files.map((file) => file.name)).toEqual(['EF.COM', 'DG14', 'DG1', 'DG2', 'DG11', 'DG12', 'EF.SOD']);
    expect(reading.passiveAuthentication.status).toBe('valid');
    expect(reading.chipAuthentication).toMatchObject({ performed: true, verified: true });
  });

  it('can-only: PACE with the CAN; the MRZ gets CHIP_NEEDS_CAN', async () => {
    expect((await read(chipOf('can-only'), CAN_KEY)).access).toMatchObject({ protocol: 'PACE', password: 'can' });
    const error = await failure(read(chipOf('can-only')));
    expect(error.code).toBe('CHIP_NEEDS_CAN');
    expect(error.message).toMatch(/card access number \(CAN\)/);
  });

  it('removed-mid-read: the card leaves while DG2 is read, and the read fails as a pulled card does on PC/SC', async () => {
    const chip = chipOf('removed-mid-read');
    const files: string[] = [];
    const error = await failure(read(chip, MRZ_KEY, { onProgress: (progress) => progress.file && files.push(progress.file) }));
    expect(error.code).toBe('PCSC_CARD_REMOVED');
    expect(error.message).toMatch(/removed or lost contact/);
    expect(files.at(-1)).toBe('DG2');
    await chip.removed;
  });
});

describe('readChip, the wrong key', () => {
  const wrongMrz = { ...MRZ_KEY, birthDate: '850313' };

  it('gets CHIP_ACCESS_DENIED from PACE and from BAC, saying what to check', async () => {
    for (const scenario of ['valid', 'no-pace'] as const) {
      const error = await failure(read(chipOf(scenario), wrongMrz));
      expect(error.code, scenario).toBe('CHIP_ACCESS_DENIED');
      expect(error.message).toMatch(/document number, date of birth and date of expiry/);
      expect(error.details).toMatchObject({ protocol: scenario === 'valid' ? 'PACE' : 'BAC', password: 'mrz', sw: '6300' });
    }
  });

  it('gets CHIP_ACCESS_DENIED for a wrong CAN, and CHIP_NEEDS_MRZ for a CAN the chip cannot take', async () => {
    const wrongCan = await failure(read(chipOf('can-only'), { kind: 'can', can: '654321' }));
    expect(wrongCan).toMatchObject({ code: 'CHIP_ACCESS_DENIED', details: { protocol: 'PACE', password: 'can' } });
    expect(wrongCan.message).toMatch(/six digits/);
    expect((await failure(read(chipOf('no-pace'), CAN_KEY))).code).toBe('CHIP_NEEDS_MRZ');
  });
});
