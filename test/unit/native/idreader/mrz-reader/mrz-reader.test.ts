import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../../../native/device-error.js';
import { parseMrzFraming, type MrzFramingInput } from '../../../../../native/idreader/mrz-reader/framings.js';
import { MrzReader, type MrzRead, type MrzReaderOptions } from '../../../../../native/idreader/mrz-reader/mrz-reader.js';
import { MRZ_SAMPLE_DOCUMENTS, MrzSimulator } from '../../../../../native/sim/mrz-sim.js';
import { DeviceLink, type LinkStatus } from '../../../../../native/transport/device-link.js';
import { createMemoryPair } from '../../../../../native/transport/memory-transport.js';
import type { Transport } from '../../../../../native/transport/transport.js';
import { nextStatus, until } from '../../transport/waiting.js';

const T0 = Date.parse('2024-06-15T12:00:00Z');
const PASSPORT = MRZ_SAMPLE_DOCUMENTS.passport;
const ID_CARD = MRZ_SAMPLE_DOCUMENTS.idCard;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/**
 * An MrzReader on a DeviceLink over a memory pair with a simulator on the device end. The
 * clock returns `times` (seconds after T0) one per read, so the duplicate window is tested
 * without waiting.
 */
async function readerWith(framing: MrzFramingInput, times: number[] = [], options: Partial<MrzReaderOptions> = {}) {
  const parsed = parseMrzFraming(framing);
  const [host, device] = createMemoryPair('mrz');
  await device.open();
  const link = new DeviceLink({ name: 'MRZ reader', createTransport: () => host });
  const clock = [...times];
  const reader = new MrzReader(link, { framing: parsed, now: () => new Date(T0 + (clock.shift() ?? 0) * 1000), ...options });
  const events = { reads: [] as MrzRead[], faults: [] as DeviceError[], statuses: [] as LinkStatus[] };
  reader.on('read', (read) => events.reads.push(read));
  reader.on('fault', (fault) => events.faults.push(fault));
  reader.on('status', (status) => events.statuses.push(status));
  reader.start();
  link.start();
  stops.push(async () => {
    reader.stop();
    await link.stop();
  });
  await nextStatus(link, 'connected');
  return { reader, link, device: device as Transport, simulator: new MrzSimulator(device, parsed), events };
}

describe('MrzReader', () => {
  it('emits a read with the lines, the parse and the time it arrived', async () => {
    const { simulator, events } = await readerWith({ framing: 'stx-etx', bcc: 'xor' }, [0]);
    await simulator.present(PASSPORT);
    await until(() => events.reads.length === 1);
    const [read] = events.reads;
    expect(read).toMatchObject({ lines: PASSPORT, at: '2024-06-15T12:00:00.000Z', parse: { ok: true, result: { format: 'TD3', valid: true } } });
    expect(read?.parse.ok && read.parse.result.fields.surname).toBe('ERIKSSON');
    expect(read?.parse.ok && read.parse.result.checks.notExpired).toBe(false);
  });

  it('merges repeats of a document within the window of its last sighting, not other documents', async () => {
    const { simulator, events } = await readerWith({ framing: 'lines' }, [0, 1, 3.9, 7, 7.1, 7.2]);
    for (const lines of [PASSPORT, PASSPORT, PASSPORT, PASSPORT, ID_CARD, PASSPORT]) await simulator.present(lines);
    await until(() => events.reads.length === 4);
    expect(events.reads.map((read) => [read.at.slice(17, 23), read.lines[0]?.slice(0, 1)]))
      .toEqual([['00.000', 'P'], ['07.000', 'P'], ['07.100', 'I'], ['07.200', 'P']]);
  });

  it('honours a configured window', async () => {
    const { simulator, events } = await readerWith({ framing: 'lines' }, [0, 0.5, 0.6], { duplicateWindowMs: 100 });
    for (let i = 0; i < 3; i += 1) await simulator.present(PASSPORT);
    await until(() => events.reads.length === 2);
    expect(events.reads.map((read) => read.at.slice(17, 23))).toEqual(['00.000', '00.500']);
  });

  it('reports a check-digit failure in the parse and lines that are no MRZ as a typed parse error', async () => {
    const { simulator, events } = await readerWith({ framing: 'stx-etx' }, [0, 10]);
    simulator.injectFault('bad-read');
    await simulator.present(ID_CARD);
    await simulator.present([PASSPORT[0] as string]);
    await until(() => events.reads.length === 2);
    expect(events.reads[0]?.parse).toMatchObject({ ok: true, result: { valid: false, checks: { birthDate: false } } });
    expect(events.reads[1]?.parse).toMatchObject({ ok: false, error: { code: 'MRZ_BAD_LENGTH' } });
  });

  it('reports a frame with a bad block check as a fault naming the link, then reads the next', async () => {
    const { simulator, events } = await readerWith({ framing: 'markers', startMarker: '1b4d', endMarker: '1b45', bcc: 'xor' }, [0]);
    simulator.injectFault('bad-bcc');
    await simulator.present(PASSPORT);
    await simulator.present(PASSPORT);
    await until(() => events.reads.length === 1);
    expect(events.faults).toEqual([expect.objectContaining({
      code: 'MRZ_FRAME_BCC', message: expect.stringMatching(/^MRZ reader on memory mrz A: /), details: expect.objectContaining({ link: 'memory mrz A' }),
    })]);
  });

  it('reports a read cut off by silence once the idle gap has passed', async () => {
    const { simulator, events } = await readerWith({ framing: 'stx-etx', idleGapMs: 20 }, [0]);
    simulator.injectFault('cut-off');
    await simulator.present(PASSPORT);
    await until(() => events.faults.length === 1);
    expect(events.faults[0]?.code).toBe('MRZ_FRAME_CUT');
    await simulator.present(PASSPORT);
    await until(() => events.reads.length === 1);
  });

  it('reports link status, and a read cut off by the link going away', async () => {
    const { reader, device, simulator, events } = await readerWith({ framing: 'lines', idleGapMs: 60_000 });
    expect(reader.status.state).toBe('connected');
    simulator.injectFault('cut-off');
    await simulator.present(ID_CARD);
    await new Promise((resolve) => setImmediate(resolve));
    await device.close();
    await until(() => events.faults.length === 1);
    expect(events.faults[0]?.code).toBe('MRZ_INCOMPLETE');
    expect(events.statuses.slice(0, 3).map((status) => status.state)).toEqual(['connecting', 'connected', 'disconnected']);
  });
});
