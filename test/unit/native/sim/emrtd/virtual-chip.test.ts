// The virtual eMRTD chip as a reader meets it, command by command: the master file readable
// before access control and nothing else, 6300 for a wrong key, plain 6987/6988 for a broken
// protected command with the session ended, a plain command ending the session, a reset ending
// it too, a pulled card; and whatever bytes arrive (property), an answer with a status word and
// never an exception.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bac } from '../../../../../native/emrtd/bac.js';
import { performPace } from '../../../../../native/emrtd/pace.js';
import { parseSecurityInfos } from '../../../../../native/emrtd/security-infos.js';
import type { SecureMessaging } from '../../../../../native/emrtd/secure-messaging.js';
import {
  CONTACTLESS_CHIP_ATR, chipScenario, virtualChip, type ChipScenario, type VirtualChip,
} from '../../../../../native/sim/emrtd/virtual-chip.js';
import { parseResponseApdu, statusWord } from '../../../../../native/transport/command-apdu.js';
import { MRZ, MRZ_FIELDS, NOW, pki } from '../../emrtd/chip-fixtures.js';
import { hex, seededRandom, toHex } from '../../emrtd/emrtd-fixtures.js';

const chipOf = (scenario: ChipScenario = 'valid', seed = 41): VirtualChip => virtualChip(scenario, { pki, mrz: MRZ, now: NOW, random: seededRandom(seed) });
const SELECT_APPLICATION = hex('00A4040C07A0000002471001');
/** The status word of one exchange, as four hex digits. */
async function status(chip: VirtualChip, command: string | Uint8Array): Promise<string> {
  const response = await chip.transmit(typeof command === 'string' ? hex(command) : command);
  return statusWord(response).toString(16).toUpperCase().padStart(4, '0');
}

/** PACE with the MRZ from the master file, as the reader runs it; the reader's end of the session. */
async function afterPace(chip: VirtualChip): Promise<SecureMessaging> {
  await chip.transmit(hex('00A4000C023F00'));
  const cardAccess = parseSecurityInfos(parseResponseApdu(await chip.transmit(hex('00B09C0000'))).data);
  return (await performPace(chip, cardAccess, { kind: 'mrz', fields: MRZ_FIELDS }, { random: seededRandom(3) })).session;
}

describe('the virtual chip before access control', () => {
  it('is a contactless card, whose EF.CardAccess anyone reads and whose data groups nobody does', async () => {
    const chip = chipOf();
    expect(toHex(chip.atr)).toBe(toHex(CONTACTLESS_CHIP_ATR));
    expect(await status(chip, '00A4020C02011C')).toBe('9000');
    expect(parseSecurityInfos(parseResponseApdu(await chip.transmit(hex('00B0000000'))).data).map((info) => info.type)).toEqual(['PACEInfo']);
    expect(await status(chip, SELECT_APPLICATION)).toBe('9000');
    expect(await status(chip, '00A4020C020101')).toBe('9000');
    expect(await status(chip, '00B0000004')).toBe('6982');
    expect(await status(chip, '00A4040C07A0000002471002')).toBe('6A82');
  });

  it('has no EF.CardAccess without PACE, and no BAC when it opens only with the CAN', async () => {
    expect(await status(chipOf('no-pace'), '00A4020C02011C')).toBe('6A82');
    const canOnly = chipOf('can-only');
    await status(canOnly, SELECT_APPLICATION);
    expect(await status(canOnly, '0084000008')).toBe('6D00');
  });

  it('answers a wrong BAC key with 6300', async () => {
    const chip = chipOf('no-pace');
    await status(chip, SELECT_APPLICATION);
    expect(await status(chip, '0084000008')).toBe('9000');
    expect(await status(chip, `0082000028${'11'.repeat(40)}28`)).toBe('6300');
  });

  it('refuses classes it does not know and commands too short to be one', async () => {
    const chip = chipOf();
    expect(await status(chip, '80CA9F7F00')).toBe('6E00');
    expect(await status(chip, '00A4')).toBe('6700');
    expect(await status(chip, '00A4040C05AABB')).toBe('6700');
    expect(await status(chip, '0CB0000000')).toBe('6882');
  });
});

describe('the virtual chip\'s secure messaging', () => {
  it('answers a protected command whose checksum fails with a plain 6988 and ends the session', async () => {
    const chip = chipOf();
    const sm = await afterPace(chip);
    const select = sm.protectCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: SELECT_APPLICATION.subarray(5) });
    select[select.length - 3]! ^= 0x01;
    expect(toHex(await chip.transmit(select))).toBe('6988');
    expect(await status(chip, sm.protectCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: SELECT_APPLICATION.subarray(5) }))).toBe('6882');
  });

  it('answers a protected command without its checksum with a plain 6987', async () => {
    const chip = chipOf();
    await afterPace(chip);
    expect(toHex(await chip.transmit(hex('0CA4040C0B870901AABBCCDDEEFF0011')))).toBe('6987');
  });

  it('ends the session on a plain command, which it answers in plain, and on a reset', async () => {
    const chip = chipOf();
    let sm = await afterPace(chip);
    expect(await status(chip, SELECT_APPLICATION)).toBe('9000');
    expect(await status(chip, sm.protectCommand({ cla: 0, ins: 0xb0, p1: 0x9e, p2: 0, ne: 4 }))).toBe('6882');
    sm = await afterPace(chip);
    chip.reset();
    expect(await status(chip, sm.protectCommand({ cla: 0, ins: 0xb0, p1: 0x9e, p2: 0, ne: 4 }))).toBe('6882');
  });

  it('opens with BAC as well as PACE when it has both', async () => {
    const chip = chipOf();
    await status(chip, SELECT_APPLICATION);
    const sm = await bac(chip, MRZ_FIELDS, { random: seededRandom(4) });
    const read = sm.unprotectResponse(await chip.transmit(sm.protectCommand({ cla: 0, ins: 0xb0, p1: 0x9e, p2: 0, ne: 4 })));
    expect(read.sw).toBe(0x9000);
    expect(read.data[0]).toBe(0x60);
  });
});

describe('the virtual chip under any input (properties)', () => {
  const anyCommand = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constantFrom(0x00, 0x0c, 0x10, 0x1c), fc.constantFrom(0x22, 0x82, 0x84, 0x86, 0x88, 0xa4, 0xb0, 0xb1, 0xc0), fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ maxLength: 260 }))
      .map(([cla, ins, p1p2, rest]) => Uint8Array.from([cla, ins, ...p1p2, ...rest])),
  );

  it('answers every command with at least a status word and never throws, before and after PACE', async () => {
    await fc.assert(fc.asyncProperty(fc.array(anyCommand, { minLength: 1, maxLength: 12 }), fc.boolean(), async (commands, paced) => {
      const chip = chipOf('valid', 43);
      if (paced) await afterPace(chip);
      for (const command of commands) expect((await chip.transmit(command)).length).toBeGreaterThanOrEqual(2);
      // Whatever came before, the chip still opens and answers.
      chip.reset();
      await afterPace(chip);
    }), { numRuns: 60 });
  });
});

describe('the removed-mid-read chip', () => {
  it('leaves the reader once DG2 is read past its first kilobyte: removed resolves, every APDU fails as on PC/SC', async () => {
    const chip = chipOf('removed-mid-read');
    const sm = await afterPace(chip);
    const send = async (command: Parameters<SecureMessaging['protectCommand']>[0]) => sm.unprotectResponse(await chip.transmit(sm.protectCommand(command))).sw;
    expect(await send({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: SELECT_APPLICATION.subarray(5) })).toBe(0x9000);
    expect(await send({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: hex('0102') })).toBe(0x9000);
    expect(await send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 200 })).toBe(0x9000);
    await expect(send({ cla: 0, ins: 0xb0, p1: 0x04, p2: 0, ne: 200 })).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
    await chip.removed;
    await expect(chip.transmit(SELECT_APPLICATION)).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
  });
});

describe('chip scenarios by name', () => {
  it('takes the names CHIP_SCENARIOS lists and refuses others, naming them', () => {
    expect(chipScenario('can-only')).toBe('can-only');
    expect(() => chipScenario('expired-csca')).toThrow(expect.objectContaining({
      code: 'SIM_SCENARIO_UNKNOWN', message: expect.stringContaining('removed-mid-read'),
    }));
  });
});
