import { afterEach, describe, expect, it } from 'vitest';
import { DeviceLink, retryDelay, type LinkStatus } from '../../../../native/transport/device-link.js';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import type { Transport } from '../../../../native/transport/transport.js';
import { nextStatus, until } from './waiting.js';

/** A device reachable through memory pairs; the first `failures` opens fail as if it were unplugged. */
function fakeDevice(failures = 0) {
  const deviceEnds: Transport[] = [];
  let attempts = 0;
  const createTransport = (): Transport => {
    attempts += 1;
    const [host, device] = createMemoryPair(`dev${attempts}`);
    if (attempts <= failures) {
      return Object.assign(host, { open: () => Promise.reject(new Error('ENOENT: no such file /dev/ttyUSB0')) });
    }
    void device.open();
    deviceEnds.push(device);
    return host;
  };
  return { createTransport, deviceEnds, attempts: () => attempts };
}

const links: DeviceLink[] = [];
function makeLink(options: Omit<ConstructorParameters<typeof DeviceLink>[0], 'name' | 'retry'>): { link: DeviceLink; statuses: LinkStatus[] } {
  const link = new DeviceLink({ name: 'test reader', retry: { firstMs: 1, maxMs: 4 }, ...options });
  const statuses: LinkStatus[] = [];
  link.on('status', (status) => statuses.push(status));
  links.push(link);
  return { link, statuses };
}

afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.stop()));
});

describe('DeviceLink', () => {
  it('connects, notices the device closing, and reconnects with a fresh transport', async () => {
    const device = fakeDevice();
    const { link, statuses } = makeLink({ createTransport: device.createTransport });
    link.start();
    await nextStatus(link, 'connected');
    const first = link.transport;
    expect(first?.isOpen).toBe(true);

    const disconnected = nextStatus(link, 'disconnected');
    await device.deviceEnds[0]?.close();
    expect((await disconnected).reason).toMatch(/test reader on memory dev1 A went away/);
    expect(link.transport).toBeUndefined();

    await nextStatus(link, 'connected');
    expect(link.transport).not.toBe(first);
    expect(link.transport?.isOpen).toBe(true);
    expect(statuses.map((status) => status.state)).toEqual(['connecting', 'connected', 'disconnected', 'connected']);
  });

  it('keeps retrying a device that is not there yet, reporting the failure once', async () => {
    const device = fakeDevice(4);
    const { link, statuses } = makeLink({ createTransport: device.createTransport });
    link.start();
    await nextStatus(link, 'connected');
    expect(device.attempts()).toBe(5);
    expect(statuses).toEqual([
      { state: 'connecting' },
      { state: 'error', reason: 'test reader: ENOENT: no such file /dev/ttyUSB0', error: expect.objectContaining({ message: 'ENOENT: no such file /dev/ttyUSB0' }) },
      { state: 'connected' },
    ]);
  });

  it('treats a failed probe as the device gone and closes the old transport', async () => {
    let present = true;
    const device = fakeDevice();
    const { link } = makeLink({ createTransport: device.createTransport, probe: async () => present, probeIntervalMs: 2 });
    link.start();
    await nextStatus(link, 'connected');
    const transport = link.transport as Transport;
    present = false;
    expect((await nextStatus(link, 'disconnected')).reason).toMatch(/no longer present/);
    expect(transport.isOpen).toBe(false);
    present = true;
    await nextStatus(link, 'connected');
  });

  it('ignores a line error that is not followed by a close, and reports its cause when one is', async () => {
    const device = fakeDevice();
    const { link, statuses } = makeLink({ createTransport: device.createTransport });
    link.start();
    await nextStatus(link, 'connected');
    const transport = link.transport as Transport;
    transport.emit('error', new Error('framing error'));
    expect(link.status.state).toBe('connected');
    const disconnected = nextStatus(link, 'disconnected');
    transport.emit('error', new Error('EIO'));
    await transport.close();
    expect((await disconnected).reason).toMatch(/\(EIO\)/);
    expect(statuses.filter((status) => status.state === 'disconnected')).toHaveLength(1);
  });

  it('stops: closes the transport and makes no more attempts', async () => {
    const device = fakeDevice();
    const { link } = makeLink({ createTransport: device.createTransport });
    link.start();
    await nextStatus(link, 'connected');
    const transport = link.transport as Transport;
    await link.stop();
    expect(transport.isOpen).toBe(false);
    expect(link.status).toEqual({ state: 'disconnected', reason: 'stopped' });
    const attempts = device.attempts();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(device.attempts()).toBe(attempts);
  });

  it('closes a transport that finishes opening after stop()', async () => {
    let release: () => void = () => undefined;
    let closed = false;
    const [host] = createMemoryPair('slow');
    const open = host.open.bind(host);
    const close = host.close.bind(host);
    const slow = Object.assign(host, {
      open: () => new Promise<void>((resolve) => { release = () => void open().then(resolve); }),
      close: () => { closed = true; return close(); },
    });
    const { link } = makeLink({ createTransport: () => slow });
    link.start();
    await link.stop();
    release();
    await until(() => closed);
    expect(slow.isOpen).toBe(false);
    expect(link.transport).toBeUndefined();
    expect(link.status.state).toBe('disconnected');
  });
});

describe('retryDelay', () => {
  it('doubles from 250 ms up to 2 s by default', () => {
    expect([0, 1, 2, 3, 4, 50].map((attempt) => retryDelay(attempt))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(retryDelay(2, { firstMs: 10, maxMs: 100 })).toBe(40);
  });
});
