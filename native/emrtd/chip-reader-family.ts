// The chip reader (ICAO 9303 eMRTD over PC/SC) as a device family: its settings name a PC/SC
// reader (or take the first with a document on it). Its driver follows the readers as a small
// status, reports documents placed and taken away, and reads the chip of the document on the
// reader with readChip (chip-reader.ts) — one read at a time, on an exclusive session that is
// always reset afterwards, so no secure-messaging session outlives a read. Its simulator is
// vsmartcard's vpcd reader on a private pcscd with virtual chips (sim/chip-sim.ts).
//
// One pcscd per process: libpcsclite reads PCSCLITE_CSOCK_NAME once, at the first PC/SC
// context. simulate() points this process at its private pcscd, so it must run before
// anything here opens a PC/SC context (a driver's start(), a doctor listing readers);
// afterwards the process talks to the simulator's pcscd only, and real readers stay unseen.

import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { DeviceError } from '../device-error.js';
import type { DeviceFamily, DeviceSimulation } from '../device-family.js';
import { startChipSimulator, type PresentedChip } from '../sim/chip-sim.js';
import type { ChipScenario } from '../sim/emrtd/virtual-chip.js';
import type { CardReaders } from '../transport/apdu-transport.js';
import { PcscCardReaders } from '../transport/pcsc-card-reader.js';
import { readChip, type ReadChipOptions } from './chip-reader.js';
import type { ChipAccessKey, ChipReading } from './chip-reading.js';

export const ChipReaderSettings = z.strictObject({
  kind: z.literal('pcsc'),
  reader: z.string().min(1).max(256).nullable().default(null).meta({
    title: 'Reader',
    description: 'The reader\'s name as `pcsc_scan` or `gatehouse doctor` lists it; empty: the first reader with a document on it.',
  }),
  extendedLength: z.boolean().default(false).meta({
    title: 'Extended-length APDUs',
    description: 'Read the chip\'s files in large pieces, which is faster; only for a reader whose driver takes extended-length APDUs.',
  }),
}).meta({ title: 'Chip reader (PC/SC)' });

export type ChipReaderSettings = z.output<typeof ChipReaderSettings>;

export interface ChipReaderStatus {
  /** `starting` until the readers were first listed; `failed` while pcscd cannot be reached. */
  readonly state: 'starting' | 'no-reader' | 'ready' | 'failed';
  /** The reader a read would use: the configured one, else the first with a card, else the first listed. */
  readonly reader: string | null;
  readonly cardPresent: boolean;
  /** The answer to reset of the card on that reader; null without one. */
  readonly atr: Uint8Array | null;
  /** Why it failed, or what is wrong with the card on the reader (a mute chip); null when all is well. */
  readonly error: DeviceError | null;
}

/** A document placed on (`present`) or taken off a reader the driver reads from, with its chip's ATR. */
export interface ChipCardEvent {
  readonly present: boolean;
  readonly reader: string;
  readonly atr: Uint8Array;
}

export type ChipReaderEvents = {
  status: [status: ChipReaderStatus];
  /** After the status that already counts the card. */
  card: [event: ChipCardEvent];
};

/** What a read needs besides the access key: readChip's options but extendedLength, which is a setting. */
export type ChipReadOptions = Omit<ReadChipOptions, 'extendedLength'>;

/** How long the driver waits before watching the readers again after pcscd went away. */
const REWATCH_MS = 2_000;

export class ChipReader extends EventEmitter<ChipReaderEvents> {
  readonly #readers: CardReaders;
  readonly #settings: ChipReaderSettings;
  /** Every reader pcscd lists, in the order it reported them, with the ATR of the card on it. */
  readonly #known = new Map<string, Uint8Array | null>();
  #status: ChipReaderStatus = { state: 'starting', reader: null, cardPresent: false, atr: null, error: null };
  #listed = false;
  #failure: DeviceError | null = null;
  #cardProblem: DeviceError | null = null;
  #reading = false;
  #stopped = false;
  #rewatch: NodeJS.Timeout | undefined;

  /** `readers`: PcscCardReaders in the kiosk; the driver closes them when it stops. */
  constructor(readers: CardReaders, settings: ChipReaderSettings) {
    super();
    this.#readers = readers;
    this.#settings = settings;
    readers.on('reader-added', (name) => {
      this.#known.set(name, null);
      this.#update();
    });
    readers.on('reader-removed', (name) => {
      this.#known.delete(name);
      this.#update();
    });
    readers.on('card-inserted', (name, atr) => {
      this.#known.set(name, atr);
      this.#cardProblem = null;
      this.#update();
      if (this.#follows(name)) this.emit('card', { present: true, reader: name, atr });
    });
    readers.on('card-removed', (name) => {
      const atr = this.#known.get(name);
      this.#known.set(name, null);
      this.#cardProblem = null;
      this.#update();
      if (atr && this.#follows(name)) this.emit('card', { present: false, reader: name, atr });
    });
    readers.on('error', (error) => this.#onError(error));
  }

  get status(): ChipReaderStatus {
    return this.#status;
  }

  /** Starts following the readers; resolves once they were listed or pcscd was found unreachable (see status); never rejects. */
  async start(): Promise<void> {
    if (!this.#stopped) await this.#watch();
  }

  /** Stops following the readers and releases every PC/SC handle (a read in progress fails). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#rewatch);
    await this.#readers.close();
  }

  /**
   * Reads the chip of the document on the reader with `key`. CHIP_NO_CARD when there is
   * none, CHIP_BUSY while another read runs; a card taken away mid-read fails with the
   * transport's PCSC_CARD_REMOVED.
   */
  async read(key: ChipAccessKey, options: ChipReadOptions): Promise<ChipReading> {
    if (this.#reading) {
      throw new DeviceError('CHIP_BUSY', `${this.#describe()} is reading a document already; wait for that read to end.`,
        { reader: this.#status.reader });
    }
    this.#reading = true;
    try {
      const reader = this.#readerWithCard();
      const session = await this.#readers.connect(reader, { share: 'exclusive' }).catch((error: unknown) => {
        throw error instanceof DeviceError && error.code === 'PCSC_NO_CARD' ? noCardError(reader) : error;
      });
      try {
        return await readChip(session, key, { ...options, extendedLength: this.#settings.extendedLength });
      } finally {
        await session.disconnect('reset');
      }
    } finally {
      this.#reading = false;
    }
  }

  #readerWithCard(): string {
    if (this.#stopped) throw stoppedError();
    const { state, reader, cardPresent, error } = this.#status;
    if (state === 'failed' && error) throw error;
    if (reader === null) throw noReaderError(this.#settings.reader);
    if (!cardPresent) throw noCardError(reader);
    return reader;
  }

  async #watch(): Promise<void> {
    try {
      await this.#readers.watch();
      this.#failure = null;
      this.#listed = true;
    } catch (error) {
      this.#fail(asDeviceError(error));
    }
    this.#update();
  }

  /** The readers emit an error for a mute card (watching goes on) or when watching failed (pcscd went away). */
  #onError(error: Error): void {
    const problem = asDeviceError(error);
    if (problem.code === 'PCSC_CARD_MUTE') {
      this.#cardProblem = problem;
    } else {
      this.#fail(problem);
    }
    this.#update();
  }

  #fail(error: DeviceError): void {
    this.#failure = error;
    clearTimeout(this.#rewatch);
    if (this.#stopped) return;
    this.#rewatch = setTimeout(() => void this.#watch(), REWATCH_MS);
  }

  #follows(reader: string): boolean {
    return this.#settings.reader === null || this.#settings.reader === reader;
  }

  #chosenReader(): string | null {
    if (this.#settings.reader !== null) return this.#known.has(this.#settings.reader) ? this.#settings.reader : null;
    for (const [name, atr] of this.#known) if (atr) return name;
    return this.#known.keys().next().value ?? null;
  }

  #update(): void {
    const reader = this.#chosenReader();
    const atr = reader === null ? null : this.#known.get(reader) ?? null;
    const cardPresent = atr !== null;
    const state = this.#failure ? 'failed' : !this.#listed ? 'starting' : reader === null ? 'no-reader' : 'ready';
    const error = this.#failure ?? this.#cardProblem;
    const previous = this.#status;
    if (previous.state === state && previous.reader === reader && previous.cardPresent === cardPresent && previous.error === error) return;
    this.#status = { state, reader, cardPresent, atr, error };
    this.emit('status', this.#status);
  }

  #describe(): string {
    return this.#status.reader ? `The chip reader "${this.#status.reader}"` : 'The chip reader';
  }
}

function noCardError(reader: string): DeviceError {
  return new DeviceError('CHIP_NO_CARD', `There is no document on the chip reader "${reader}". Place the passport's photo `
    + 'page or the ID card flat on it and read again.', { reader });
}

/** With no reader there is no card either: the same code, and what to check. */
function noReaderError(configured: string | null): DeviceError {
  return new DeviceError('CHIP_NO_CARD', `${configured ? `The chip reader "${configured}" is not connected` : 'No chip reader is connected'}. `
    + 'Check the reader\'s USB cable and that `pcsc_scan` lists it.', { reader: configured });
}

function stoppedError(): DeviceError {
  return new DeviceError('CHIP_READER_STOPPED', 'The chip reader was stopped; open it again to read.');
}

function asDeviceError(error: unknown): DeviceError {
  if (error instanceof DeviceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeviceError('PCSC_ERROR', `PC/SC failed: ${message}.`, { cause: message });
}

export interface ChipReaderSimulation extends DeviceSimulation<ChipReaderSettings> {
  /** Puts the chipped document of `scenario` on the reader; resolves once pcscd reports it. */
  present(scenario: ChipScenario, options?: PresentedChip): Promise<void>;
  /** Takes the document away; resolves once pcscd reports the reader empty. */
  remove(): Promise<void>;
  /** DER of the test CSCA the kiosk must trust to verify the simulated documents. */
  readonly cscaCertificates: Uint8Array[];
}

export const chipReaderFamily: DeviceFamily<'pcsc', ChipReaderSettings, ChipReader, ChipReaderSimulation> = {
  kind: 'pcsc',
  role: 'chip-reader',
  title: 'Chip reader (PC/SC)',
  trace: 'apdu',
  config: ChipReaderSettings,
  open(config) {
    return new ChipReader(new PcscCardReaders(), config);
  },
  /**
   * A private pcscd with a vpcd reader (in the temp dir, not `runDir`: a socket path must stay
   * under 108 bytes), and this process pointed at it (see the header). Extended length on: vpcd
   * and pcscd carry extended APDUs, and the virtual chips take them.
   */
  async simulate({ now }) {
    const sim = await startChipSimulator({ now });
    return {
      config: { kind: 'pcsc', reader: sim.readerName, extendedLength: true },
      cscaCertificates: [sim.cscaCertificate],
      present: async (scenario, options) => {
        await sim.present(scenario, options);
      },
      remove: () => sim.remove(),
      stop: () => sim.stop(),
    };
  },
};
