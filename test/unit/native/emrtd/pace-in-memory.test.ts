// PACE between the reader (pace.ts) and the chip side (pace-chip.ts) in memory: every supported
// cipher on the curves passports use, MRZ and CAN, a proprietary curve given explicitly, wrong
// passwords refused with a typed error, and tampering with the tokens refused whatever bit flips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResponseApdu, encodeResponseApdu } from '../../../../native/transport/command-apdu.js';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';
import type { SmCipher } from '../../../../native/emrtd/chip-crypto.js';
import { ecAlgorithmIdentifier, ecDomain, EC_DOMAINS, type CurveName } from '../../../../native/emrtd/ec-curves.js';
import { performPace, type PacePassword } from '../../../../native/emrtd/pace.js';
import { paceInfo, paceProtocolOid, SecurityProtocolOid, type SecurityInfo } from '../../../../native/emrtd/security-infos.js';
import { PaceChip } from '../../../../native/sim/emrtd/pace-chip.js';
import { VirtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { failure, loggingTransport, seededRandom } from './emrtd-fixtures.js';

const MRZ = { documentNumber: 'L898902C3', birthDate: '740812', expiryDate: '120415' } as const;
const CAN = '123456';
const mrz: PacePassword = { kind: 'mrz', fields: MRZ };
const can: PacePassword = { kind: 'can', can: CAN };

function cardAccessFor(curve: CurveName, cipher: SmCipher): SecurityInfo[] {
  return [paceInfo(paceProtocolOid('ECDH', 'GM', cipher), ecDomain(curve).standardizedId)];
}

/** A chip that speaks only PACE, with both passwords; its commands logged. */
function chipFor(cardAccess: readonly SecurityInfo[], seed = 11) {
  return loggingTransport(new VirtualChip({ files: [], pace: { cardAccess, mrz: MRZ, can: CAN }, random: seededRandom(seed) }));
}

/** Runs PACE and checks the session works both ways with one protected SELECT of the eMRTD application. */
async function paceAndSelect(cardAccess: readonly SecurityInfo[], password: PacePassword) {
  const chip = chipFor(cardAccess);
  const result = await performPace(chip, cardAccess, password, { random: seededRandom(5) });
  const select = result.session.protectCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Uint8Array.of(0xa0, 0, 0, 2, 0x47, 0x10, 1) });
  const answer = result.session.unprotectResponse(await chip.transmit(select));
  expect(answer.sw).toBe(0x9000);
  return result;
}

describe('PACE reader ↔ chip in memory', () => {
  const suites: [CurveName, SmCipher][] = [
    ['P-256', 'aes-128'],
    ['brainpoolP256r1', 'aes-128'],
    ['brainpoolP256r1', '3des'],
    ['brainpoolP384r1', 'aes-192'],
    ['brainpoolP384r1', 'aes-256'],
    ['P-256', 'aes-256'],
    ['brainpoolP512r1', 'aes-256'],
  ];
  for (const [curve, cipher] of suites) {
    for (const password of [mrz, can]) {
      it(`runs ECDH-GM ${cipher} on ${curve} with the ${password.kind.toUpperCase()}`, async () => {
        const result = await paceAndSelect(cardAccessFor(curve, cipher), password);
        expect(result).toMatchObject({ curve, password: password.kind, suite: { cipher, mapping: 'GM', keyAgreement: 'ECDH' } });
      });
    }
  }

  it('runs on every standardized curve (ids 8–18)', async () => {
    for (const curve of EC_DOMAINS) {
      const result = await paceAndSelect(cardAccessFor(curve.name, 'aes-128'), mrz);
      expect(result.curve).toBe(curve.name);
    }
  });

  it('runs on a proprietary parameter set given as explicit curve parameters (PACEDomainParameterInfo)', async () => {
    const cardAccess: SecurityInfo[] = [
      paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-128'), 32),
      {
        type: 'PACEDomainParameterInfo', protocol: `${SecurityProtocolOid.pace}.2`,
        domainParameter: ecAlgorithmIdentifier(ecDomain('brainpoolP320r1'), 'explicit'), parameterId: 32,
      },
    ];
    expect((await paceAndSelect(cardAccess, can)).curve).toBe('brainpoolP320r1');
  });

  it('refuses a wrong MRZ with CHIP_PACE_PASSWORD_REJECTED at the token step (the chip answers 6300)', async () => {
    const cardAccess = cardAccessFor('brainpoolP256r1', 'aes-128');
    const chip = chipFor(cardAccess);
    const error = await failure(performPace(chip, cardAccess, { kind: 'mrz', fields: { ...MRZ, birthDate: '740813' } }, { random: seededRandom(5) }));
    expect(error.code).toBe('CHIP_PACE_PASSWORD_REJECTED');
    expect(error.details).toMatchObject({ sw: '6300', step: 'mutual-authentication', password: 'mrz' });
    expect(chip.commands).toHaveLength(5);
  });

  it('refuses a wrong CAN the same way, and a CAN the chip was not given with CHIP_PACE_REFUSED', async () => {
    const cardAccess = cardAccessFor('P-256', 'aes-128');
    expect((await failure(performPace(chipFor(cardAccess), cardAccess, { kind: 'can', can: '654321' }))).code).toBe('CHIP_PACE_PASSWORD_REJECTED');
    const mrzOnly = new VirtualChip({ files: [], pace: { cardAccess, mrz: MRZ } });
    const refused = await failure(performPace(mrzOnly, cardAccess, can));
    expect(refused.code).toBe('CHIP_PACE_REFUSED');
    expect(refused.details['sw']).toBe('6A88');
  });

  it('refuses a CAN that is not six digits before talking to the chip', async () => {
    const cardAccess = cardAccessFor('P-256', 'aes-128');
    const chip = chipFor(cardAccess);
    expect((await failure(performPace(chip, cardAccess, { kind: 'can', can: '12345' }))).code).toBe('CHIP_PACE_BAD_CAN');
    expect(chip.commands).toHaveLength(0);
  });

  it('the chip refuses GENERAL AUTHENTICATE out of order or without chaining, and starts over', () => {
    const chip = new PaceChip({ cardAccess: cardAccessFor('P-256', 'aes-128'), mrz: MRZ });
    expect(chip.answer({ cla: 0x10, ins: 0x86, p1: 0, p2: 0, data: Uint8Array.of(0x7c, 0), ne: 256 })).toBeUndefined();
    expect(chip.answer({ cla: 0, ins: 0x22, p1: 0xc1, p2: 0xa4, data: Buffer.from('800A04007F00070202040202830101', 'hex') })!.response.sw).toBe(0x9000);
    expect(chip.answer({ cla: 0x00, ins: 0x86, p1: 0, p2: 0, data: Uint8Array.of(0x7c, 0), ne: 256 })!.response.sw).toBe(0x6985);
    expect(chip.inProgress).toBe(false);
  });
});

describe('PACE tokens (properties)', () => {
  const cardAccess = cardAccessFor('brainpoolP256r1', 'aes-128');

  /** The chip, with the answer to the last GENERAL AUTHENTICATE (CLA 00, INS 86) altered by `mutate`. */
  function tamperedChip(mutate: (response: Uint8Array) => Uint8Array): ApduTransport {
    const chip = chipFor(cardAccess);
    return {
      description: 'tampering chip',
      async transmit(command) {
        const response = await chip.transmit(command);
        return command[0] === 0x00 && command[1] === 0x86 ? mutate(Uint8Array.from(response)) : response;
      },
    };
  }

  it('any single-bit flip of the chip\'s token is refused with CHIP_PACE_TOKEN_INVALID', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 63 }), async (bit) => {
      const transport = tamperedChip((response) => {
        // 7C 0A 86 08 <token> 90 00: the token starts at byte 4.
        response[4 + (bit >> 3)]! ^= 0x80 >> (bit & 7);
        return response;
      });
      const error = await failure(performPace(transport, cardAccess, mrz, { random: seededRandom(5) }));
      expect(error.code).toBe('CHIP_PACE_TOKEN_INVALID');
    }), { numRuns: 64 });
  });

  it('any single-bit flip anywhere in the chip\'s last answer ends PACE with a typed error, never a session', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 14 * 8 - 1 }), async (bit) => {
      const transport = tamperedChip((response) => {
        response[bit >> 3]! ^= 0x80 >> (bit & 7);
        return response;
      });
      await failure(performPace(transport, cardAccess, mrz, { random: seededRandom(5) }));
    }), { numRuns: 60 });
  });

  it('the chip refuses the reader\'s token with 6300 whichever bit flips', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 63 }), async (bit) => {
      const chip = chipFor(cardAccess);
      const transport: ApduTransport = {
        description: 'tampering reader',
        async transmit(command) {
          if (command[0] !== 0x00 || command[1] !== 0x86) return chip.transmit(command);
          // 00 86 00 00 0C 7C 0A 85 08 <token> 00: the token starts at byte 9.
          const altered = Uint8Array.from(command);
          altered[9 + (bit >> 3)]! ^= 0x80 >> (bit & 7);
          const response = parseResponseApdu(await chip.transmit(altered));
          expect(response.sw).toBe(0x6300);
          return encodeResponseApdu(response);
        },
      };
      expect((await failure(performPace(transport, cardAccess, mrz, { random: seededRandom(5) }))).code).toBe('CHIP_PACE_PASSWORD_REJECTED');
      // No session came of it: a protected command is answered 6882 (secure messaging not supported).
      expect(parseResponseApdu(await chip.transmit(Uint8Array.of(0x0c, 0xb0, 0, 0, 0))).sw).toBe(0x6882);
    }), { numRuns: 40 });
  });
});
