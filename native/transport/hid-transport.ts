// The Transport for readers that present themselves as USB-HID devices carrying a serial
// byte stream. node-hid is an optional dependency and is loaded only when such a
// device is opened; the device object can be injected, so tests run without hardware.

import type { EventEmitter } from 'node:events';
import { DeviceError } from '../device-error.js';
import { checkHidFraming, decodeHidReport, DEFAULT_HID_FRAMING, encodeHidReports, type HidReportFraming }
  from './hid-report-framing.js';
import { TransportBase } from './transport-base.js';

/** The part of node-hid's HIDAsync this transport uses: `data` (one input report) and `error` events. */
export interface HidDevice extends Pick<EventEmitter, 'on' | 'removeAllListeners'> {
  write(report: Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface HidTransportOptions {
  /** The hidraw path node-hid lists for the reader, e.g. /dev/hidraw2. */
  readonly path: string;
  readonly framing?: HidReportFraming;
  /** Opens the device; by default node-hid's HIDAsync.open(path). */
  readonly openDevice?: (path: string) => Promise<HidDevice>;
}

export class HidTransport extends TransportBase {
  readonly description: string;
  readonly #framing: HidReportFraming;
  #device: HidDevice | undefined;

  constructor(private readonly options: HidTransportOptions) {
    super();
    this.description = `USB-HID ${options.path}`;
    this.#framing = checkHidFraming(options.framing ?? DEFAULT_HID_FRAMING);
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const { path, openDevice = openWithNodeHid } = this.options;
    const device = await openDevice(path).catch((error: Error) => {
      if (error instanceof DeviceError) throw error;
      throw new DeviceError('HID_OPEN_FAILED',
        `Could not open ${this.description}: ${error.message}. Check that the reader is plugged in and that `
        + 'the udev rule gives the kiosk user access to it.', { path, cause: error.message });
    });
    device.on('data', (report: Buffer) => this.#receive(report));
    device.on('error', (error: Error) => {
      this.reportError(new DeviceError('HID_LINE_ERROR',
        `${this.description} stopped answering: ${error.message}. Check the USB cable.`,
        { path, cause: error.message }));
      void this.close();
    });
    this.#device = device;
    this.markOpen();
  }

  async write(data: Uint8Array): Promise<void> {
    this.assertOpen();
    const device = this.#device as HidDevice;
    for (const report of encodeHidReports(data, this.#framing)) {
      await device.write(Buffer.from(report)).catch((error: Error) => {
        throw new DeviceError('HID_WRITE_FAILED', `Could not send to ${this.description}: ${error.message}. `
          + 'Check the USB cable.', { path: this.options.path, cause: error.message });
      });
    }
  }

  async close(): Promise<void> {
    const device = this.#device;
    if (!device) return;
    this.#device = undefined;
    device.removeAllListeners('data');
    await device.close().catch(() => undefined);
    this.markClosed();
  }

  #receive(report: Buffer): void {
    try {
      const payload = decodeHidReport(report, this.#framing);
      if (payload.length > 0) this.emit('data', payload);
    } catch (error) {
      this.reportError(error as DeviceError);
    }
  }
}

async function openWithNodeHid(path: string): Promise<HidDevice> {
  const hid = await import('node-hid').catch((error: Error) => {
    throw new DeviceError('HID_SUPPORT_MISSING',
      'USB-HID support (the optional node-hid module) is not installed on this kiosk, so the reader at '
      + `${path} cannot be used. Reinstall the kiosk package with its optional parts, or use the reader's `
      + 'serial mode.', { path, cause: error.message });
  });
  return hid.HIDAsync.open(path);
}
