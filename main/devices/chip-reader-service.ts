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
import { classifyDeviceError, deviceFault, type DeviceFault } from './device-problem.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

export type ChipReaderServiceEvents = {
  /** The state changed; `fault` is the technical detail of a problem (never for an officer's screen). */
  status: [status: DeviceStatusView, fault: DeviceFault | null];
  /** A card (a document's chip) came onto the reader, or went away. */
  card: [present: boolean];
};

export interface ChipReaderServiceOptions {
  db: Db;
  now(): Date;
  simulated: boolean;
  /** The reader the settings name; null: the first one with a card. */
  readerName?: string | null;
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

  /** The answer to reset of the card on the reader (the device test shows it); null without a card. */
  get atr(): Uint8Array | null {
    return this.reader.status.atr;
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
    const { problem, fault } = state === 'failed' && error ? { problem: classifyDeviceError(error), fault: deviceFault(error) }
      : state === 'no-reader' ? { problem: 'not-connected' as const, fault: { code: 'PCSC_NO_READER', detail: this.#noReaderDetail() } }
        : { problem: undefined, fault: null };
    this.#status = {
      kind: 'chip-reader', name: reader ?? 'Chip reader', state: mapped, simulated: this.options.simulated, ...(problem ? { problem } : {}),
    };
    this.emit('status', this.#status, fault);
  }

  #noReaderDetail(): string {
    const wanted = this.options.readerName;
    return `${wanted ? `No PC/SC reader named "${wanted}" is connected` : 'No PC/SC reader is connected'}; check its USB cable and that \`pcsc_scan\` lists it.`;
  }
}
