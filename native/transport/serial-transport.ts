// The Transport for devices on a serial line (USB-serial adapters, on-board UARTs and the
// simulators' pseudo-terminals), plus the DeviceLink for one: it also watches that the
// device path still exists, which is how an unplugged USB adapter shows itself at once.

import { access } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import { DeviceError } from '../device-error.js';
import { DeviceLink } from './device-link.js';
import { TransportBase } from './transport-base.js';

/** The serial device setting every serial family shares. */
export const serialDevicePath = z.string().min(1).max(256)
  .meta({ title: 'Serial device', description: 'The device file of the port, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…' });

export interface SerialTransportOptions {
  /** e.g. /dev/ttyUSB0, /dev/serial/by-id/…, or a simulator's pty link. */
  readonly path: string;
  readonly baudRate: number;
}

export class SerialTransport extends TransportBase {
  readonly description: string;
  #port: SerialPort | undefined;

  constructor(private readonly options: SerialTransportOptions) {
    super();
    this.description = `serial ${options.path} @ ${options.baudRate}`;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const { path, baudRate } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())))
      .catch((error: Error) => {
        throw new DeviceError('SERIAL_OPEN_FAILED',
          `Could not open ${this.description}: ${error.message}. Check that the device is plugged in, `
          + 'that the path is right and that no other program holds the port.', { path, cause: error.message });
      });
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (error: Error) => this.reportError(new DeviceError('SERIAL_LINE_ERROR',
      `Error on ${this.description}: ${error.message}. Check the cable.`, { path, cause: error.message })));
    port.on('close', () => this.#closed(port));
    this.#port = port;
    this.markOpen();
  }

  async write(data: Uint8Array): Promise<void> {
    this.assertOpen();
    const port = this.#port as SerialPort;
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(data), (error) => {
        if (error) reject(error);
        else port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    }).catch((error: Error) => {
      throw new DeviceError('SERIAL_WRITE_FAILED',
        `Could not send to ${this.description}: ${error.message}. Check the cable.`,
        { path: this.options.path, cause: error.message });
    });
  }

  async close(): Promise<void> {
    const port = this.#port;
    if (!port) return;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.#closed(port);
  }

  #closed(port: SerialPort): void {
    if (this.#port !== port) return;
    this.#port = undefined;
    port.removeAllListeners('data');
    this.markClosed();
  }
}

/** True while the device node (or the pty symlink) exists and resolves. */
export async function serialPathPresent(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** A DeviceLink that reopens `path` after an unplug and notices the path vanishing. */
export function serialDeviceLink(name: string, options: SerialTransportOptions): DeviceLink {
  return new DeviceLink({
    name,
    createTransport: () => new SerialTransport(options),
    probe: () => serialPathPresent(options.path),
  });
}
