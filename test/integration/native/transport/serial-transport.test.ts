import { describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../../../native/sim/pty-pair.js';
import { serialDeviceLink, serialPathPresent, SerialTransport } from '../../../../native/transport/serial-transport.js';
import type { Transport } from '../../../../native/transport/transport.js';
import { nextStatus, until } from '../../../unit/native/transport/waiting.js';
import { useScratchSpace } from '../scratch-space.js';

const scratch = useScratchSpace('gatehouse-serial-');

async function ptyPair(name = 'dev'): Promise<PtyPair> {
  const pair = await openPtyPair(scratch.path(name));
  scratch.defer(() => pair.close());
  return pair;
}

async function opened(path: string): Promise<SerialTransport> {
  const transport = new SerialTransport({ path, baudRate: 115_200 });
  await transport.open();
  scratch.defer(() => transport.close());
  return transport;
}

function collect(transport: Transport): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  transport.on('data', (chunk) => chunks.push(chunk));
  return chunks;
}

const total = (chunks: Uint8Array[]): Buffer => Buffer.concat(chunks);

describe('SerialTransport over a pty pair', () => {
  it('carries bytes both ways', async () => {
    const pair = await ptyPair();
    const [host, device] = await Promise.all([opened(pair.devicePath), opened(pair.simulatorPath)]);
    const atDevice = collect(device);
    const atHost = collect(host);
    const payload = Buffer.from(Array.from({ length: 3000 }, (_, index) => index & 0xff));
    await host.write(payload);
    await until(() => total(atDevice).length >= payload.length);
    expect(total(atDevice)).toEqual(payload);
    await device.write(Uint8Array.of(0xaa, 0x55));
    await until(() => total(atHost).length >= 2);
    expect(total(atHost)).toEqual(Buffer.of(0xaa, 0x55));
    expect(host.description).toBe(`serial ${pair.devicePath} @ 115200`);
  });

  it('emits close when the other end disappears while a read is waiting', async () => {
    const pair = await ptyPair();
    const [host, device] = await Promise.all([opened(pair.devicePath), opened(pair.simulatorPath)]);
    // After a first byte the next read is parked on the poller, the steady state of a live link.
    const atHost = collect(host);
    await device.write(Uint8Array.of(1));
    await until(() => atHost.length > 0);
    const closed = new Promise<void>((resolve) => host.once('close', resolve));
    await pair.close();
    await closed;
    expect(host.isOpen).toBe(false);
    expect(await serialPathPresent(pair.devicePath)).toBe(false);
    await expect(host.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('explains which port could not be opened', async () => {
    const transport = new SerialTransport({ path: scratch.path('missing'), baudRate: 9600 });
    await expect(transport.open()).rejects.toMatchObject({
      code: 'SERIAL_OPEN_FAILED', message: expect.stringMatching(/missing @ 9600.*plugged in/),
    });
  });
});

describe('serialDeviceLink', () => {
  it('reports the port vanishing and reconnects when it is back at the same path', async () => {
    const path = scratch.path('reader');
    const first = await openPtyPair(path);
    const link = serialDeviceLink('CN ID reader', { path, baudRate: 115_200 });
    scratch.defer(() => link.stop());
    link.start();
    await nextStatus(link, 'connected');
    const disconnected = nextStatus(link, 'disconnected');
    await first.close();
    expect((await disconnected).reason).toMatch(/CN ID reader on serial .*reader @ 115200 went away/);
    const second = await ptyPair('reader');
    await nextStatus(link, 'connected');
    const device = await opened(second.simulatorPath);
    const atDevice = collect(device);
    await link.transport?.write(Uint8Array.of(0x42));
    await until(() => atDevice.length > 0);
    expect(total(atDevice)).toEqual(Buffer.of(0x42));
  });
});
