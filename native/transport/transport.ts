// The byte pipe every device driver talks through. Drivers never touch `serialport` or
// `node-hid`; they get a Transport, so the same driver runs against a real reader, a
// simulator on a pty, an in-memory peer or a recorded trace.

import type { EventEmitter } from 'node:events';

export type TransportEvents = {
  /** Bytes from the device, in whatever pieces the OS delivered them. */
  data: [chunk: Uint8Array];
  /** Something went wrong on the line; a `close` follows if the link is gone. */
  error: [error: Error];
  /** The link is closed (by `close()` or because the device went away). */
  close: [];
};

export interface Transport extends EventEmitter<TransportEvents> {
  /** Human-readable link name for messages, e.g. "serial /dev/ttyUSB0 @ 57600". */
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Resolves once the bytes are handed to the OS (drained for serial). */
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
