// Runs the configured chip reader (PC/SC): reports it for the status bar, says when a card
// comes and goes, and reads a chip with the kiosk's CSCA trust store as it stands at that
// moment (an import counts at once). A simulated reader's test CSCAs are trusted only here,
// in memory, never written to the store.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { ChipReader } from '../../native/emrtd/chip-reader-family.js';
import type { ChipAccessKey, ChipReading, ChipReadProgress } from '../../native/emrtd/chip-reading.js';
import { loadTrustStore } from '../chip/csca-store.js';
import type { DeviceStatus } from '../rpc/contract.js';
import type { Db } from '../store/database.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

export type ChipReaderServiceEvents = {
  status: [status: DeviceStatusView];
  /** A card (a document's chip) came onto the reader, or went away. */
  card: [present: boolean];
};

export interface ChipReaderServiceOptions {
  db: Db;
  now(): Date;
  simulated: boolean;
  /** CSCA certificates (DER) trusted besides the store: a simulator's test CSCA. */
  simulatorCscas?: readonly Uint8Array[];
}

export class ChipReaderService extends EventEmitter<ChipReaderServiceEvents> {
  #status: DeviceStatusView;
  #reading = false;

  constructor(private readonly reader: ChipReader, private readonly options: ChipReaderServiceOptions) {
    super();
    this.#status = { kind: 'chip-reader', name: 'Chip reader', state: 'disconnected', simulated: options.simulated };
    reader.on('status', () => this.#report());
    reader.on('card', (card) => {
      this.#report();
      this.emit('card', card.present);
    });
  }

  get status(): DeviceStatusView {
    return this.#status;
  }

  get cardPresent(): boolean {
    return this.reader.status.cardPresent;
  }

  start(): void {
    void this.reader.start(); // never rejects: a reader that cannot be reached shows in its status
    this.#report();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  async read(key: ChipAccessKey, { onProgress, signal }: { onProgress: (progress: ChipReadProgress) => void; signal: AbortSignal }): Promise<ChipReading> {
    const trustStore = loadTrustStore(this.options.db);
    for (const der of this.options.simulatorCscas ?? []) trustStore.add(der, 'simulated chip reader (test CSCA)');
    this.#reading = true;
    this.#report();
    try {
      return await this.reader.read(key, { trustStore, onProgress, signal, now: this.options.now });
    } finally {
      this.#reading = false;
      this.#report();
    }
  }

  #report(): void {
    const { state, reader, error } = this.reader.status;
    const mapped = state === 'ready' ? (this.#reading ? 'busy' : 'ready') : state === 'failed' ? 'error' : 'disconnected';
    const reason = state === 'no-reader' ? 'no chip reader is connected' : error?.message;
    this.#status = {
      kind: 'chip-reader', name: reader ?? 'Chip reader', state: mapped, simulated: this.options.simulated, ...(reason ? { reason } : {}),
    };
    this.emit('status', this.#status);
  }
}
