import { EventEmitter, once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HidDevice } from '../../../../native/transport/hid-transport.js';

/** Stands in for node-hid's HIDAsync: records output reports, emits input reports on demand. */
class FakeHidDevice extends EventEmitter implements HidDevice {
  readonly written: Buffer[] = [];
  closed = false;

  async write(report: Buffer): Promise<number> {
    this.written.push(report);
    return report.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

async function openFake(framing = { reportId: 0, reportSize: 4, inputHasReportId: false }) {
  const { HidTransport } = await import('../../../../native/transport/hid-transport.js');
  const device = new FakeHidDevice();
  const paths: string[] = [];
  const transport = new HidTransport({
    path: '/dev/hidraw7', framing, openDevice: async (path) => { paths.push(path); return device; },
  });
  await transport.open();
  return { transport, device, paths };
}

describe('HidTransport', () => {
  afterEach(() => {
    vi.doUnmock('node-hid');
    vi.resetModules();
  });

  it('writes the payload as framed output reports', async () => {
    const { transport, device, paths } = await openFake();
    await transport.write(Uint8Array.of(1, 2, 3, 4));
    expect(paths).toEqual(['/dev/hidraw7']);
    expect(device.written).toEqual([Buffer.of(0, 3, 1, 2, 3), Buffer.of(0, 1, 4, 0, 0)]);
    expect(transport.description).toBe('USB-HID /dev/hidraw7');
  });

  it('emits the payload of each input report and skips empty ones', async () => {
    const { transport, device } = await openFake();
    const chunks: Uint8Array[] = [];
    transport.on('data', (chunk) => chunks.push(chunk));
    device.emit('data', Buffer.of(0, 0, 0, 0));
    device.emit('data', Buffer.of(2, 0xaa, 0xbb, 0));
    expect(chunks).toEqual([Uint8Array.of(0xaa, 0xbb)]);
  });

  it('reports a malformed input report as an error and stays open', async () => {
    const { transport, device } = await openFake();
    const error = once(transport, 'error');
    device.emit('data', Buffer.of(9, 1, 2, 3));
    expect((await error)[0]).toMatchObject({ code: 'HID_REPORT_LENGTH' });
    expect(transport.isOpen).toBe(true);
  });

  it('closes when the device fails, as on unplug', async () => {
    const { transport, device } = await openFake();
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    const closed = new Promise<void>((resolve) => transport.once('close', resolve));
    device.emit('error', new Error('could not read from HID device'));
    await closed;
    expect(errors).toEqual([expect.objectContaining({ code: 'HID_LINE_ERROR' })]);
    expect(device.closed).toBe(true);
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('explains an open failure with the path', async () => {
    const { HidTransport } = await import('../../../../native/transport/hid-transport.js');
    const transport = new HidTransport({ path: '/dev/hidraw9', openDevice: () => Promise.reject(new Error('EACCES')) });
    await expect(transport.open()).rejects.toMatchObject({
      code: 'HID_OPEN_FAILED', message: expect.stringMatching(/\/dev\/hidraw9.*EACCES.*udev/),
    });
  });

  it('says clearly when the optional node-hid module is missing', async () => {
    vi.doMock('node-hid', () => { throw new Error("Cannot find module 'node-hid'"); });
    const { HidTransport } = await import('../../../../native/transport/hid-transport.js');
    await expect(new HidTransport({ path: '/dev/hidraw0' }).open()).rejects.toMatchObject({
      code: 'HID_SUPPORT_MISSING', message: expect.stringMatching(/node-hid/),
    });
  });
});
