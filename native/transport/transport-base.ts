// Bookkeeping every Transport shares: the open flag, one `close` event per opening, the
// error a write on a closed link gets, and line errors that cannot crash the process.

import { EventEmitter } from 'node:events';
import { DeviceError } from '../device-error.js';
import type { Transport, TransportEvents } from './transport.js';

export abstract class TransportBase extends EventEmitter<TransportEvents> implements Transport {
  abstract readonly description: string;
  #open = false;

  get isOpen(): boolean {
    return this.#open;
  }

  abstract open(): Promise<void>;
  abstract write(data: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;

  protected markOpen(): void {
    this.#open = true;
  }

  /** Idempotent: emits `close` only for the transition from open to closed. */
  protected markClosed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.emit('close');
  }

  protected assertOpen(): void {
    if (!this.#open) {
      throw new DeviceError('TRANSPORT_CLOSED',
        `Cannot send to ${this.description}: the link is not open. Check that the device is plugged in.`,
        { link: this.description });
    }
  }

  /** An unheard `error` event would throw; a line error is reported only to those listening. */
  protected reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
