// A chip reader in software, for development and tests: the virtual eMRTD chips of
// emrtd/virtual-chip.ts put behind real PC/SC by vsmartcard's vpcd, on a private pcscd
// (private-pcscd.ts) or on the vpcd reader of a pcscd that already runs. It follows the
// readers itself, so presenting a chip resolves once pcscd reports the card — when a kiosk
// would see it — and the chip of the removed-mid-read scenario really leaves the reader (the
// emulator drops vpcd's connection when the chip says it was pulled).
//
// Every chip is signed under one test CSCA made when the simulator starts (the test PKI's keys
// are made once per process): a kiosk in another process must be given `cscaCertificate`.

import { DeviceError } from '../device-error.js';
import type { CardReaderEvents } from '../transport/apdu-transport.js';
import { PcscCardReaders } from '../transport/pcsc-card-reader.js';
import { createTestPki, type TestPki } from './emrtd/test-pki.js';
import type { TestPortrait } from './emrtd/test-portrait.js';
import { virtualChip, type ChipScenario } from './emrtd/virtual-chip.js';
import { startPrivatePcscd, type PrivatePcscd } from './private-pcscd.js';
import { sampleMrzLines } from './sample-holder.js';
import { VpcdCardEmulator } from './vpcd-card.js';

export interface ChipSimulatorOptions {
  /** The vpcd port of a pcscd that already runs (vsmartcard-vpcd's is 35963); default: start a private pcscd. */
  readonly port?: number;
  /** The private pcscd's reader name, before its slot number. */
  readonly friendlyName?: string;
  readonly now: () => Date;
}

/** What the presented chip holds besides its scenario. */
export interface PresentedChip {
  /** The printed MRZ; default: the sample holder's passport, as the simulated MRZ reader reads it. */
  readonly mrz?: readonly string[];
  /** JPEG or JPEG 2000; default: the drawn portrait. */
  readonly portrait?: TestPortrait;
}

export interface ChipSimulator {
  /** The private pcscd's socket (PCSCLITE_CSOCK_NAME for PC/SC clients in other processes); null on a pcscd that already ran. */
  readonly socketPath: string | null;
  /** The private pcscd's reader; null on a pcscd that already ran (present() tells it). */
  readonly readerName: string | null;
  /** DER of the CSCA every simulated chip is signed under (unknown-csca's excepted). */
  readonly cscaCertificate: Uint8Array;
  /** Puts in the chip of `scenario`, taking out any chip there first; resolves with the reader's name once pcscd reports the card. */
  present(scenario: ChipScenario, chip?: PresentedChip): Promise<string>;
  /** Takes the chip out; resolves once pcscd reports it gone. */
  remove(): Promise<void>;
  stop(): Promise<void>;
}

/** pcscd polls a vpcd slot about every 0.4 s; a card it has not seen by then is not coming. */
const PRESENCE_TIMEOUT_MS = 10_000;

export async function startChipSimulator(options: ChipSimulatorOptions): Promise<ChipSimulator> {
  const pcscd = options.port === undefined
    ? await startPrivatePcscd({ friendlyName: options.friendlyName ?? 'Gatehouse Simulated Chip Reader' })
    : null;
  const readers = new PcscCardReaders();
  try {
    await readers.watch();
  } catch (error) {
    await readers.close();
    await pcscd?.stop();
    throw error;
  }
  return new VpcdChipSimulator(readers, pcscd, options);
}

class VpcdChipSimulator implements ChipSimulator {
  readonly socketPath: string | null;
  readonly readerName: string | null;
  readonly cscaCertificate: Uint8Array;
  readonly #readers: PcscCardReaders;
  readonly #pcscd: PrivatePcscd | null;
  readonly #emulator: VpcdCardEmulator;
  readonly #pki: TestPki;
  readonly #now: () => Date;
  /** The reader pcscd reports the chip in, until it reports it gone. */
  #seenIn: string | null = null;

  constructor(readers: PcscCardReaders, pcscd: PrivatePcscd | null, options: ChipSimulatorOptions) {
    this.#readers = readers;
    this.#pcscd = pcscd;
    this.#now = options.now;
    this.socketPath = pcscd?.socketPath ?? null;
    this.readerName = pcscd?.readerName ?? null;
    this.#emulator = new VpcdCardEmulator({ port: pcscd?.vpcdPort ?? options.port });
    this.#pki = createTestPki({ now: options.now() });
    this.cscaCertificate = this.#pki.cscas.rsa.der;
    readers.on('card-removed', (reader) => {
      if (reader === this.#seenIn) this.#seenIn = null;
    });
  }

  async present(scenario: ChipScenario, chip: PresentedChip = {}): Promise<string> {
    await this.remove();
    const now = this.#now();
    const card = virtualChip(scenario, {
      pki: this.#pki, now, mrz: chip.mrz ?? sampleMrzLines('passport', now), ...(chip.portrait ? { portrait: chip.portrait } : {}),
    });
    const seen = this.#nextCard(card.atr);
    await this.#emulator.insert(card);
    this.#seenIn = await seen;
    return this.#seenIn;
  }

  async remove(): Promise<void> {
    const reader = this.#seenIn;
    const gone = reader === null ? Promise.resolve() : this.#removal(reader);
    await this.#emulator.remove();
    await gone;
  }

  async stop(): Promise<void> {
    await this.#emulator.remove();
    await this.#readers.close();
    await this.#pcscd?.stop();
  }

  /** The reader of the next card pcscd reports with `atr` (in the private pcscd's reader, if there is one). */
  #nextCard(atr: Uint8Array): Promise<string> {
    return this.#waitFor('card-inserted', (reader, cardAtr) => Buffer.from(cardAtr).equals(atr)
      && (this.readerName === null || reader === this.readerName), 'report the virtual chip');
  }

  #removal(reader: string): Promise<string> {
    return this.#waitFor('card-removed', (removed) => removed === reader, 'report the virtual chip removed');
  }

  #waitFor<E extends 'card-inserted' | 'card-removed'>(event: E, matches: (...args: CardReaderEvents[E]) => boolean, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const listener = (...args: CardReaderEvents[E]): void => {
        if (!matches(...args)) return;
        clearTimeout(timer);
        this.#readers.off(event, listener as never);
        resolve(args[0]);
      };
      const timer = setTimeout(() => {
        this.#readers.off(event, listener as never);
        reject(new DeviceError('CHIP_SIM_NOT_SEEN', `pcscd did not ${what} within ${PRESENCE_TIMEOUT_MS / 1000} s. `
          + `Check that pcscd runs with a vpcd reader on ${this.#emulator.description}.`, { vpcd: this.#emulator.description }));
      }, PRESENCE_TIMEOUT_MS);
      this.#readers.on(event, listener as never);
    });
  }
}
