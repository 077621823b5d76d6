import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../../../native/device-error.js';
import { CnidPoller } from '../../../../../native/idreader/cnid/cnid-poller.js';
import { parseSamRequest, SamFrameDecoder } from '../../../../../native/idreader/cnid/sam-frame.js';
import type { CnidCard } from '../../../../../native/idreader/cnid/sam-reader.js';
import { CnidSimulator, SAMPLE_CNID_CARD } from '../../../../../native/sim/cnid-sim.js';
import { DeviceLink } from '../../../../../native/transport/device-link.js';
import { createMemoryPair } from '../../../../../native/transport/memory-transport.js';
import type { Transport } from '../../../../../native/transport/transport.js';
import { until } from '../../transport/waiting.js';

const FIND = 0x2001;
const READ = 0x3001;

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

/**
 * A poller on a DeviceLink whose every connection reaches a fresh simulator (set up by
 * `prepare`); counts the requests the simulators receive.
 */
function pollSimulatedReader(prepare: (simulator: CnidSimulator) => void = (simulator) => simulator.insert()) {
  const requests: number[] = [];
  const state: { simulator?: CnidSimulator; device?: Transport } = {};
  const link = new DeviceLink({
    name: 'CN ID reader',
    retry: { firstMs: 1, maxMs: 4 },
    createTransport: () => {
      const [host, device] = createMemoryPair('cnid');
      void device.open();
      const decoder = new SamFrameDecoder(parseSamRequest);
      device.on('data', (chunk) => decoder.push(chunk).forEach((item) => {
        if ('frame' in item) requests.push((item.frame.command << 8) | item.frame.parameter);
      }));
      state.simulator = new CnidSimulator(device);
      state.device = device;
      prepare(state.simulator);
      return host;
    },
  });
  const poller = new CnidPoller(link, { intervalMs: 2, reader: { timeoutsMs: { status: 40, findCard: 40 } } });
  const inserted: CnidCard[] = [];
  const faults: DeviceError[] = [];
  let removed = 0;
  poller.on('inserted', (card) => inserted.push(card));
  poller.on('removed', () => { removed += 1; });
  poller.on('fault', (error) => faults.push(error));
  poller.start();
  link.start();
  running.push(async () => {
    await poller.stop();
    await link.stop();
  });
  const count = (command: number): number => requests.filter((request) => request === command).length;
  return { link, poller, state, inserted, faults, removed: () => removed, count };
}

describe('CnidPoller', () => {
  it('says ready, reads a card once and does not re-read it while it stays', async () => {
    const reader = pollSimulatedReader();
    const [samId] = await once(reader.poller, 'ready');
    expect(samId.text).toBe('05.01-20240115-0123456789-0000004242');
    await until(() => reader.inserted.length === 1);
    const findsAtInsert = reader.count(FIND);
    await until(() => reader.count(FIND) >= findsAtInsert + 10);
    expect(reader.count(READ)).toBe(1);
    expect(reader.inserted).toHaveLength(1);
    expect(reader.inserted[0]?.text).toEqual(SAMPLE_CNID_CARD.text);
    expect(reader.poller.cardPresent).toBe(true);
  });

  it('reports removal and reads the next card', async () => {
    const reader = pollSimulatedReader();
    await until(() => reader.inserted.length === 1);
    reader.state.simulator?.remove();
    await until(() => reader.removed() === 1);
    expect(reader.poller.cardPresent).toBe(false);
    reader.state.simulator?.insert({ ...SAMPLE_CNID_CARD, text: { ...SAMPLE_CNID_CARD.text, name: '王样本' } });
    await until(() => reader.inserted.length === 2);
    expect(reader.inserted[1]?.text.name).toBe('王样本');
  });

  it('reports a failed read as a fault and reads the card on the next poll', async () => {
    const reader = pollSimulatedReader((simulator) => {
      simulator.insert();
      simulator.inject('bad-read');
    });
    await until(() => reader.inserted.length === 1);
    expect(reader.faults.map((fault) => fault.code)).toEqual(['CNID_READ_FAILED']);
    expect(reader.count(READ)).toBe(2);
  });

  it('copes with the card taken away in the middle of a read', async () => {
    const reader = pollSimulatedReader((simulator) => {
      simulator.insert();
      simulator.inject('remove-mid-read');
    });
    await until(() => reader.faults.length === 1);
    const finds = reader.count(FIND);
    await until(() => reader.count(FIND) >= finds + 3);
    expect(reader.inserted).toHaveLength(0);
    expect(reader.removed()).toBe(0);
    reader.state.simulator?.insert();
    await until(() => reader.inserted.length === 1);
  });

  it('reports a silent reader once, not on every poll', async () => {
    const reader = pollSimulatedReader((simulator) => simulator.inject('silence', Infinity));
    await until(() => reader.faults.length === 1);
    const polls = () => reader.count(0x11ff);
    await until(() => polls() >= 4);
    expect(reader.faults.map((fault) => fault.code)).toEqual(['CNID_TIMEOUT']);
  });

  it('reports the card removed when the reader goes away, and reads it again after reconnecting', async () => {
    const reader = pollSimulatedReader();
    await until(() => reader.inserted.length === 1);
    const readies: unknown[] = [];
    reader.poller.on('ready', (samId) => readies.push(samId));
    await reader.state.device?.close();
    await until(() => reader.removed() === 1);
    await until(() => reader.inserted.length === 2);
    expect(readies).toHaveLength(1);
    expect(reader.link.status.state).toBe('connected');
  });
});
