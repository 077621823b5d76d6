import { once } from 'node:events';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../../../native/device-error.js';
import { CnidPoller } from '../../../../../native/idreader/cnid/cnid-poller.js';
import { SamReader, type CnidCard } from '../../../../../native/idreader/cnid/sam-reader.js';
import { SAMPLE_CNID_CARD, startCnidSimulator, type RunningCnidSimulator } from '../../../../../native/sim/cnid-sim.js';
import type { LinkStatus } from '../../../../../native/transport/device-link.js';
import { serialDeviceLink, SerialTransport } from '../../../../../native/transport/serial-transport.js';
import { nextStatus, until } from '../../../../unit/native/transport/waiting.js';
import { useScratchSpace } from '../../scratch-space.js';

const scratch = useScratchSpace('gatehouse-cnid-');
let linkPath: string;

beforeEach(() => {
  linkPath = scratch.path('cnid');
});

async function simulator(scenario: string): Promise<RunningCnidSimulator> {
  const running = await startCnidSimulator({ link: linkPath, baud: 115_200, scenario });
  scratch.defer(() => running.stop());
  return running;
}

async function directReader(): Promise<SamReader> {
  const transport = new SerialTransport({ path: linkPath, baudRate: 115_200 });
  await transport.open();
  const reader = new SamReader(transport);
  scratch.defer(async () => {
    reader.dispose();
    await transport.close();
  });
  return reader;
}

/** The production wiring: a serial DeviceLink on the pty and a poller following it. */
function pollingReader() {
  const link = serialDeviceLink('CN ID reader', { path: linkPath, baudRate: 115_200 });
  const poller = new CnidPoller(link, { intervalMs: 50 });
  const events = { inserted: [] as CnidCard[], removed: 0, faults: [] as DeviceError[], statuses: [] as LinkStatus[] };
  poller.on('inserted', (card) => events.inserted.push(card));
  poller.on('removed', () => { events.removed += 1; });
  poller.on('fault', (error) => events.faults.push(error));
  link.on('status', (status) => events.statuses.push(status));
  poller.start();
  link.start();
  scratch.defer(async () => {
    await poller.stop();
    await link.stop();
  });
  return { link, poller, events };
}

describe('CN ID reader driver against the simulator over a real pty', () => {
  it('reads a card end to end', async () => {
    await simulator('card');
    const reader = await directReader();
    await reader.status();
    expect((await reader.samId()).text).toBe('05.01-20240115-0123456789-0000004242');
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    const card = await reader.readCard();
    expect(card.text).toEqual(SAMPLE_CNID_CARD.text);
    expect(card).toMatchObject({ valid: true, sex: 'male', ethnicity: { code: '01' }, portraitAvailable: false });
    expect(card.photo).toEqual(SAMPLE_CNID_CARD.photo);
  });

  it('reports a corrupted card reply as a typed error, and the retry reads the card', async () => {
    const running = await simulator('card');
    const reader = await directReader();
    await reader.findCard();
    await reader.selectCard();
    running.simulator.inject('corrupt-checksum');
    await expect(reader.readCard()).rejects.toMatchObject({
      code: 'CNID_CORRUPT_REPLY', message: expect.stringContaining(`serial ${linkPath} @ 115200`),
    });
    expect((await reader.readCard()).valid).toBe(true);
  });

  it('notices a card put on and taken off the reader', async () => {
    const running = await simulator('idle');
    const { poller, events } = pollingReader();
    await once(poller, 'ready');
    running.simulator.insert();
    await until(() => events.inserted.length === 1);
    expect(events.inserted[0]?.text.idNumber).toBe(SAMPLE_CNID_CARD.text.idNumber);
    running.simulator.remove();
    await until(() => events.removed === 1);
    expect(events.inserted).toHaveLength(1);
    expect(events.faults).toEqual([]);
  });

  it('recovers from a corrupted frame: typed fault, then the card is read', async () => {
    await simulator('corrupt-checksum');
    const { events } = pollingReader();
    await until(() => events.inserted.length === 1);
    expect(events.faults.map((fault) => fault.code)).toEqual(['CNID_CORRUPT_REPLY']);
  });

  it('survives unplug and replug: disconnected within 2 s, then reconnects and reads again', async () => {
    const first = await simulator('card');
    const { link, events } = pollingReader();
    await until(() => events.inserted.length === 1);

    const disconnected = nextStatus(link, 'disconnected');
    const unpluggedAt = Date.now();
    await first.stop();
    const status = await disconnected;
    expect(Date.now() - unpluggedAt).toBeLessThan(2_000);
    expect(status.reason).toMatch(/CN ID reader on serial .* went away/);
    await until(() => events.removed === 1);

    const connected = nextStatus(link, 'connected');
    await simulator('card');
    await connected;
    await until(() => events.inserted.length === 2);
    expect(events.inserted[1]?.text).toEqual(SAMPLE_CNID_CARD.text);
  });
});
