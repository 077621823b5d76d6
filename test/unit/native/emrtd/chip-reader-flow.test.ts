// How readChip gets through a read rather than what it finds: the APDU sequence of a valid read
// pinned and replayed from its recorded trace, progress for the kiosk's bar, cancellation between
// APDUs, an optional file the chip refuses (6982), and a cloned chip whose Chip Authentication
// fails — the read goes on under a new access control and reports the clone.

import { describe, expect, it } from 'vitest';
import { describeChipReading } from '../../../../native/emrtd/chip-reader.js';
import type { ChipReadProgress } from '../../../../native/emrtd/chip-reading.js';
import { VirtualChip, virtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { personalisePassport } from '../../../../native/sim/emrtd/virtual-passport.js';
import { parseApduTrace } from '../../../../native/transport/apdu-trace.js';
import { RecordingApduTransport } from '../../../../native/transport/recording-apdu-transport.js';
import { ReplayApduTransport } from '../../../../native/transport/replay-apdu-transport.js';
import { MRZ, MRZ_KEY, NOW, pki, read } from './chip-fixtures.js';
import { loggingTransport, seededRandom, toHex } from './emrtd-fixtures.js';

const validChip = () => virtualChip('valid', { pki, mrz: MRZ, now: NOW, random: seededRandom(5) });

/** A chip personalised as the valid scenario's, with some part of it changed. */
function chipWith(change: (chip: ReturnType<typeof personalisePassport>) => Partial<ConstructorParameters<typeof VirtualChip>[0]>): VirtualChip {
  const personalised = personalisePassport({ pki, mrz: MRZ, signing: 'valid', pace: { curve: 'brainpoolP256r1', cipher: 'aes-128' }, cloneCheck: 'chip-authentication' });
  const { files, accessFields, cardAccess, chipAuthenticationKeys } = personalised;
  return new VirtualChip({
    files, bac: accessFields, pace: { cardAccess, mrz: accessFields }, ...(chipAuthenticationKeys ? { chipAuthenticationKeys } : {}),
    random: seededRandom(6), ...change(personalised),
  });
}

/** The commands of a trace as steps: the header, with a file's READ BINARYs run together. */
function steps(trace: string): string[] {
  const names = parseApduTrace(trace).map(({ command }) => (command[1] === 0xb0 ? `${toHex(command.subarray(0, 2))} READ BINARY` : toHex(command.subarray(0, 4))));
  return names.filter((name, i) => !(name.endsWith('READ BINARY') && names[i - 1] === name));
}

describe('readChip\'s APDU sequence', () => {
  it('is pinned for a valid PACE read, and a replay of its trace with the same randomness reads the same', async () => {
    const recorder = new RecordingApduTransport(validChip());
    const reading = await read(recorder, MRZ_KEY, { random: seededRandom(77) });
    expect(steps(recorder.trace)).toEqual([
      '00A4020C', '00B0 READ BINARY', // SELECT and read EF.CardAccess in the master file
      '0022C1A4', '10860000', '10860000', '10860000', '00860000', // PACE: MSE:Set AT, four GENERAL AUTHENTICATEs
      '0CA4040C', // SELECT the eMRTD application under secure messaging
      '0CA4020C', '0CB0 READ BINARY', // EF.COM
      '0CA4020C', '0CB0 READ BINARY', // DG14
      '0C2241A4', '0C860000', '0CB0 READ BINARY', // Chip Authentication: MSE:Set AT, GENERAL AUTHENTICATE, a confirming read of EF.COM
      '0CA4020C', '0CB0 READ BINARY', // DG1
      '0CA4020C', '0CB0 READ BINARY', // DG2
      '0CA4020C', '0CB0 READ BINARY', // DG11
      '0CA4020C', '0CB0 READ BINARY', // DG12
      '0CA4020C', '0CB0 READ BINARY', // EF.SOD
    ]);
    const replay = new ReplayApduTransport(recorder.trace, 'valid PACE read');
    const replayed = await read(replay, MRZ_KEY, { random: seededRandom(77) });
    replay.assertConsumed();
    expect({ ...describeChipReading(replayed), durationMs: 0 }).toEqual({ ...describeChipReading(reading), durationMs: 0 });
  });
});

describe('readChip\'s progress', () => {
  it('only goes forward, from access control to 1, and spends most of the bar on the portrait', async () => {
    const progress: ChipReadProgress[] = [];
    await read(validChip(), MRZ_KEY, { onProgress: (p) => progress.push(p) });
    const fractions = progress.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(progress[0]).toEqual({ stage: 'access-control', fraction: 0 });
    expect(progress.at(-1)).toMatchObject({ fraction: 1 });
    const stages = progress.map((p) => p.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(['access-control', 'reading', 'authenticating', 'reading', 'authenticating', 'verifying']);
    const portrait = progress.filter((p) => p.file === 'DG2');
    expect(portrait.length).toBeGreaterThan(50);
    expect(portrait.at(-1)!.fraction - portrait[0]!.fraction).toBeGreaterThan(0.5);
    expect(portrait.at(-1)).toMatchObject({ bytesRead: portrait.at(-1)!.total });
  });
});

describe('cancelling readChip', () => {
  it('sends nothing when the signal is already aborted', async () => {
    const chip = loggingTransport(validChip());
    const controller = new AbortController();
    controller.abort();
    await expect(read(chip, MRZ_KEY, { signal: controller.signal })).rejects.toMatchObject({ code: 'CHIP_READ_CANCELLED' });
    expect(chip.commands).toHaveLength(0);
  });

  it('stops before the next APDU when aborted while the portrait is read', async () => {
    const chip = loggingTransport(validChip());
    const controller = new AbortController();
    let sentWhenAborted = -1;
    const reading = read(chip, MRZ_KEY, {
      signal: controller.signal,
      onProgress: ({ file, bytesRead = 0 }) => {
        if (file === 'DG2' && bytesRead > 2000 && !controller.signal.aborted) {
          controller.abort();
          sentWhenAborted = chip.commands.length;
        }
      },
    });
    await expect(reading).rejects.toMatchObject({ code: 'CHIP_READ_CANCELLED', message: expect.stringContaining('cancelled') });
    expect(chip.commands).toHaveLength(sentWhenAborted);
  });
});

describe('readChip with chips that hold back', () => {
  it('skips an optional file the chip refuses with 6982 and verifies the rest', async () => {
    const chip = chipWith(({ files }) => ({
      files: files.map((file) => (file.fileId === 0x010b ? { ...file, requires: 'extended-access-control' as const } : file)),
    }));
    const reading = await read(chip);
    expect(reading.files.map((file) => file.name)).toEqual(['EF.CardAccess', 'EF.COM', 'DG14', 'DG1', 'DG2', 'DG12', 'EF.SOD']);
    expect(reading.passiveAuthentication).toMatchObject({ status: 'valid', dataGroupsNotRead: [11] });
  });

  it('reports a clone whose Chip Authentication fails, and reads on after opening the chip again', async () => {
    const chip = loggingTransport(chipWith(({ chipAuthenticationKeys }) => ({
      chipAuthenticationKeys: chipAuthenticationKeys!.map((key) => ({ ...key, privateKey: key.privateKey + 1n })),
    })));
    const reading = await read(chip);
    expect(reading.chipAuthentication).toMatchObject({ performed: true, verified: false, failure: expect.stringContaining('CHIP_SM_') });
    expect(reading.activeAuthentication).toMatchObject({ performed: false, reason: 'not-needed' });
    expect(reading.passiveAuthentication.status).toBe('valid');
    expect(reading.files.map((file) => file.name)).toEqual(['EF.CardAccess', 'EF.COM', 'DG14', 'DG1', 'DG2', 'DG11', 'DG12', 'EF.SOD']);
    // PACE ran twice: before EF.COM and after the failed Chip Authentication.
    expect(chip.commands.filter((command) => toHex(command.subarray(0, 4)) === '0022C1A4')).toHaveLength(2);
  });
});
