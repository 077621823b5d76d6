// Watches a CN ID reader through its DeviceLink: on every connection it checks the SAM
// module, then polls for a card, reads each card once when it arrives and reports when
// it leaves. A card swapped for another between two polls is not noticed (at the
// default 300 ms interval that needs a very quick hand); lifting it off always is.

import { EventEmitter } from 'node:events';
import type { DeviceError } from '../../device-error.js';
import type { DeviceLink, LinkStatus } from '../../transport/device-link.js';
import type { Transport } from '../../transport/transport.js';
import { SamReader, type CnidCard, type SamId, type SamReaderOptions } from './sam-reader.js';

export interface CnidPollerOptions {
  readonly intervalMs?: number;
  /** Consecutive "no card" answers before `removed`, so a card that slips for a moment is not read twice. */
  readonly missesBeforeRemoved?: number;
  readonly reader?: SamReaderOptions;
}

export type CnidPollerEvents = {
  /** The reader answered status and SAM id after (re)connecting. */
  ready: [samId: SamId];
  inserted: [card: CnidCard];
  /** The card left the reader, or the reader went away with a card on it. */
  removed: [];
  /** A poll failed; polling goes on. The same fault is not repeated until a poll succeeds. */
  fault: [error: DeviceError];
};

interface PollSession {
  readonly reader: SamReader;
  active: boolean;
  ready: boolean;
  wake: () => void;
  done: Promise<void>;
}

export class CnidPoller extends EventEmitter<CnidPollerEvents> {
  readonly #intervalMs: number;
  readonly #missesBeforeRemoved: number;
  #session: PollSession | undefined;
  #present = false;
  #misses = 0;
  #lastFault: string | undefined;
  readonly #onStatus = (status: LinkStatus): void => {
    const { transport } = this.link;
    if (status.state === 'connected' && transport) this.#begin(transport);
    else void this.#end();
  };

  constructor(private readonly link: DeviceLink, private readonly options: CnidPollerOptions = {}) {
    super();
    this.#intervalMs = options.intervalMs ?? 300;
    this.#missesBeforeRemoved = options.missesBeforeRemoved ?? 2;
  }

  get cardPresent(): boolean {
    return this.#present;
  }

  /** Starts following the link (which the caller starts and stops). */
  start(): void {
    this.link.on('status', this.#onStatus);
    const { transport } = this.link;
    if (transport) this.#begin(transport);
  }

  async stop(): Promise<void> {
    this.link.off('status', this.#onStatus);
    await this.#end();
  }

  #begin(transport: Transport): void {
    void this.#end();
    const session: PollSession = {
      reader: new SamReader(transport, this.options.reader),
      active: true,
      ready: false,
      wake: () => undefined,
      done: Promise.resolve(),
    };
    this.#session = session;
    session.done = this.#run(session);
  }

  #end(): Promise<void> {
    const session = this.#session;
    if (!session) return Promise.resolve();
    this.#session = undefined;
    session.active = false;
    session.wake();
    session.reader.dispose();
    this.#misses = 0;
    this.#lastFault = undefined;
    if (this.#present) {
      this.#present = false;
      this.emit('removed');
    }
    return session.done;
  }

  async #run(session: PollSession): Promise<void> {
    while (session.active) {
      try {
        await this.#poll(session);
        this.#lastFault = undefined;
      } catch (error) {
        if (session.active) this.#fault(error as DeviceError);
      }
      if (session.active) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#intervalMs);
          session.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  async #poll(session: PollSession): Promise<void> {
    const { reader } = session;
    if (!session.ready) {
      await reader.status();
      const samId = await reader.samId();
      if (!session.active) return;
      session.ready = true;
      this.emit('ready', samId);
    }
    const found = await reader.findCard();
    if (!session.active) return;
    if (!found) {
      this.#misses += 1;
      if (this.#present && this.#misses >= this.#missesBeforeRemoved) {
        this.#present = false;
        this.emit('removed');
      }
      return;
    }
    this.#misses = 0;
    if (this.#present) return;
    await reader.selectCard();
    const card = await reader.readCard();
    if (!session.active) return;
    this.#present = true;
    this.emit('inserted', card);
  }

  #fault(error: DeviceError): void {
    if (error.code === this.#lastFault) return;
    this.#lastFault = error.code;
    this.emit('fault', error);
  }
}
