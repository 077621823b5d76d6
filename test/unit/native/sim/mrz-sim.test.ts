import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeMrzFrame, parseMrzFraming, type MrzFramingInput } from '../../../../native/idreader/mrz-reader/framings.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { applyMrzScenario, MRZ_SAMPLE_DOCUMENTS, MrzSimulator } from '../../../../native/sim/mrz-sim.js';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import { SPECIMENS } from '../idreader/mrz/doc9303-specimens.js';
import { until } from '../transport/waiting.js';

const PASSPORT = MRZ_SAMPLE_DOCUMENTS.passport;

afterEach(() => {
  vi.useRealTimers();
});

/** A simulator on a memory pair; `received` collects what a driver would get, chunk by chunk. */
async function simulatorWith(framing: MrzFramingInput) {
  const [host, device] = createMemoryPair('mrz');
  await Promise.all([host.open(), device.open()]);
  const received: Uint8Array[] = [];
  host.on('data', (chunk) => received.push(chunk));
  const parsed = parseMrzFraming(framing);
  return { simulator: new MrzSimulator(device, parsed), received, encode: (lines: readonly string[]) => encodeMrzFrame(lines, parsed) };
}

describe('the sample documents', () => {
  it('are the Doc 9303 specimens, written by formatMrz', () => {
    expect(MRZ_SAMPLE_DOCUMENTS).toEqual({
      passport: SPECIMENS.td3?.lines, idCard: SPECIMENS.td1?.lines, td2: SPECIMENS.td2?.lines, visa: SPECIMENS.mrva?.lines,
    });
    expect(Object.values(MRZ_SAMPLE_DOCUMENTS).map((lines) => parseMrz(lines).valid)).toEqual([true, true, true, true]);
  });
});

describe('MrzSimulator', () => {
  it('sends a presented document in its framing, byte for byte', async () => {
    const { simulator, received } = await simulatorWith({ framing: 'stx-etx', lineEnd: 'cr', bcc: 'xor' });
    await simulator.present();
    await until(() => received.length === 1);
    expect(Buffer.from(received[0] as Uint8Array).toString('latin1')).toBe(`\x02${PASSPORT[0]}\r${PASSPORT[1]}\x03\x05`);
  });

  it('applies each fault to the next presentation only', async () => {
    const { simulator, received, encode } = await simulatorWith({ framing: 'markers', startMarker: '1b4d', endMarker: '1b45', bcc: 'xor' });
    const frame = encode(PASSPORT);
    for (const fault of ['bad-bcc', 'cut-off', 'garbage', 'bad-read'] as const) {
      simulator.injectFault(fault);
      await simulator.present();
      await simulator.present();
    }
    await until(() => received.length === 8);
    const [badBcc, good1, cut, good2, noisy, good3, badRead, good4] = received.map((chunk) => Buffer.from(chunk));
    for (const good of [good1, good2, good3, good4]) expect(good).toEqual(Buffer.from(frame));
    expect(badBcc?.subarray(0, -1)).toEqual(Buffer.from(frame.subarray(0, -1)));
    expect(badBcc?.at(-1)).not.toBe(frame.at(-1));
    expect(cut).toEqual(Buffer.from(frame.subarray(0, frame.length >> 1)));
    expect(noisy?.subarray(-frame.length)).toEqual(Buffer.from(frame));
    expect(noisy?.length).toBeGreaterThan(frame.length);
    expect([...(noisy?.subarray(0, -frame.length) ?? [])].some((b) => b === 0x1b || b === 0x4d || (b >= 0x20 && b < 0x7f))).toBe(false);
    const spoiled = parseMrz(Buffer.from(badRead ?? []).subarray(2, -3).toString('latin1'));
    expect(spoiled.checks.birthDate).toBe(false);
    expect(spoiled.fields.birthDate).toBe('740812');
  });

  it('refuses a bad block check when its framing has none', async () => {
    const { simulator } = await simulatorWith({ framing: 'stx-etx' });
    expect(() => simulator.injectFault('bad-bcc')).toThrow(expect.objectContaining({ code: 'SIM_FAULT_UNSUPPORTED' }));
  });
});

describe('applyMrzScenario', () => {
  it.each(['card', 'idle:3', 'repeat:soon', 'insert-after:-1', 'repeat:0', 'repeat:1:2'])('refuses "%s"', async (scenario) => {
    const { simulator } = await simulatorWith({ framing: 'lines' });
    expect(() => applyMrzScenario(simulator, scenario)).toThrow(expect.objectContaining({ code: 'SIM_SCENARIO_UNKNOWN' }));
  });

  it('presents once after N seconds, or every N seconds with a fault on the first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const once = await simulatorWith({ framing: 'lines' });
    const repeat = await simulatorWith({ framing: 'lines' });
    const cancels = [applyMrzScenario(once.simulator, 'insert-after:2'), applyMrzScenario(repeat.simulator, 'cut-off:1')];
    vi.advanceTimersByTime(3_000);
    cancels.forEach((cancel) => cancel());
    vi.advanceTimersByTime(3_000);
    vi.useRealTimers();
    await until(() => once.received.length === 1 && repeat.received.length === 3);
    expect(once.received).toEqual([once.encode(PASSPORT)]);
    expect(repeat.received.map((chunk) => chunk.length)).toEqual([46, 92, 92]);
  });
});
