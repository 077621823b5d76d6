import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../../../native/device-error.js';
import { parseMrzFraming, type MrzFramingInput } from '../../../../../native/idreader/mrz-reader/framings.js';
import { MrzReader, type MrzRead } from '../../../../../native/idreader/mrz-reader/mrz-reader.js';
import { MRZ_SAMPLE_DOCUMENTS, startMrzSimulator, type RunningMrzSimulator } from '../../../../../native/sim/mrz-sim.js';
import { serialDeviceLink } from '../../../../../native/transport/serial-transport.js';
import { nextStatus, until } from '../../../../unit/native/transport/waiting.js';

const BAUD = 9_600;
const { passport, idCard, td2, visa } = MRZ_SAMPLE_DOCUMENTS;

let dir: string;
let linkPath: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-mrz-'));
  linkPath = join(dir, 'mrz');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function simulator(framing: MrzFramingInput, scenario = 'idle'): Promise<RunningMrzSimulator> {
  const running = await startMrzSimulator({ link: linkPath, baud: BAUD, framing, scenario });
  cleanups.push(() => running.stop());
  return running;
}

/** The production wiring: a serial DeviceLink on the pty and an MrzReader following it, connected. */
async function connectedReader(framing: MrzFramingInput) {
  const link = serialDeviceLink('MRZ reader', { path: linkPath, baudRate: BAUD });
  const reader = new MrzReader(link, { framing: parseMrzFraming(framing) });
  const events = { reads: [] as MrzRead[], faults: [] as DeviceError[] };
  reader.on('read', (read) => events.reads.push(read));
  reader.on('fault', (fault) => events.faults.push(fault));
  reader.start();
  const connected = nextStatus(link, 'connected');
  link.start();
  cleanups.push(async () => {
    reader.stop();
    await link.stop();
  });
  await connected;
  return { link, reader, events };
}

const formats = (reads: readonly MrzRead[]) => reads.map((read) => (read.parse.ok ? read.parse.result.format : read.parse.error.code));

describe('MRZ reader driver against the simulator over a real pty', () => {
  it.each<MrzFramingInput>([
    { framing: 'lines', lineEnd: 'cr' },
    { framing: 'lines', lineEnd: 'crlf', underscorePadding: true },
    { framing: 'stx-etx', bcc: 'xor' },
    { framing: 'markers', startMarker: '1b4d', endMarker: '1b45', lineEnd: 'lf', bcc: 'xor' },
  ])('reads every sample document framed as %j', async (framing) => {
    const running = await simulator(framing);
    const { events } = await connectedReader(framing);
    for (const lines of [passport, idCard, td2, visa]) await running.control.present(lines);
    await until(() => events.reads.length === 4);
    expect(events.reads.map((read) => read.lines)).toEqual([passport, idCard, td2, visa]);
    expect(formats(events.reads)).toEqual(['TD3', 'TD1', 'TD2', 'MRVA']);
    expect(events.reads.every((read) => read.parse.ok && read.parse.result.valid)).toBe(true);
    expect(events.faults).toEqual([]);
  });

  it('reports a corrupted frame as a typed fault naming the port, then reads the next', async () => {
    const framing = { framing: 'stx-etx', bcc: 'xor' } as const;
    const running = await simulator(framing);
    const { events } = await connectedReader(framing);
    running.control.injectFault('bad-bcc');
    await running.control.present(passport);
    await until(() => events.faults.length === 1);
    expect(events.faults[0]).toMatchObject({ code: 'MRZ_FRAME_BCC', message: expect.stringContaining(`serial ${linkPath} @ ${BAUD}`) });
    await running.control.present(passport);
    await until(() => events.reads.length === 1);
    expect(formats(events.reads)).toEqual(['TD3']);
  });

  it('reports a document pulled away mid-read once the line goes quiet, and ignores line noise', async () => {
    const framing = { framing: 'lines' } as const;
    const running = await simulator(framing);
    const { events } = await connectedReader(framing);
    running.control.injectFault('cut-off');
    await running.control.present(idCard);
    await until(() => events.faults.length === 1);
    expect(events.faults[0]?.code).toBe('MRZ_INCOMPLETE');
    running.control.injectFault('garbage');
    await running.control.present(idCard);
    await until(() => events.reads.length === 1);
    expect(formats(events.reads)).toEqual(['TD1']);
    expect(events.faults).toHaveLength(1);
  });

  it('merges duplicate reads of one document', async () => {
    const framing = { framing: 'markers', startMarker: '1b4d', endMarker: '1b45' } as const;
    const running = await simulator(framing);
    const { events } = await connectedReader(framing);
    for (const lines of [passport, passport, passport, visa]) await running.control.present(lines);
    await until(() => events.reads.length === 2);
    expect(formats(events.reads)).toEqual(['TD3', 'MRVA']);
  });

  it('runs a fault scenario: the first presentation is spoiled, the next one reads', async () => {
    const framing = { framing: 'stx-etx', bcc: 'xor' } as const;
    await simulator(framing, 'bad-bcc:1.5');
    const { events } = await connectedReader(framing);
    await until(() => events.reads.length >= 1);
    expect(events.faults.map((fault) => fault.code)).toEqual(['MRZ_FRAME_BCC']);
  });

  it('refuses a scenario its framing cannot play without leaving a pty behind', async () => {
    await expect(startMrzSimulator({ link: linkPath, framing: { framing: 'lines' }, scenario: 'bad-bcc' }))
      .rejects.toMatchObject({ code: 'SIM_FAULT_UNSUPPORTED' });
    await expect(access(linkPath)).rejects.toThrow(/ENOENT/);
  });

  it('survives unplug and replug: disconnected within 2 s, then reconnects and reads again', async () => {
    const framing = { framing: 'lines', lineEnd: 'cr' } as const;
    const first = await simulator(framing);
    const { link, events } = await connectedReader(framing);
    await first.control.present(passport);
    await until(() => events.reads.length === 1);

    const disconnected = nextStatus(link, 'disconnected');
    const unpluggedAt = Date.now();
    await first.stop();
    const status = await disconnected;
    expect(Date.now() - unpluggedAt).toBeLessThan(2_000);
    expect(status.reason).toMatch(/MRZ reader on serial .* went away/);

    const connected = nextStatus(link, 'connected');
    const second = await simulator(framing);
    await connected;
    await second.control.present(idCard);
    await until(() => events.reads.length === 2);
    expect(formats(events.reads)).toEqual(['TD3', 'TD1']);
  });
});
