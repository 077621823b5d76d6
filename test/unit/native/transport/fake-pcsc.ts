// A stand-in for the `smartcard` package with pcsc-lite 1.9.9's behaviour where
// PcscCardReaders depends on it: SCardGetStatusChange answers at once when a given state
// differs (UNAWARE always does), else waits for a change or SCardCancel; a reader unknown
// when the wait starts is refused ("Unknown reader"); the high 16 bits of a state count
// card events; errors are Errors carrying the package's messages. Tests drive it: readers
// and cards come and go, the service stops, cards answer from a script.

import type {
  PcscApi, PcscCardHandle, PcscContextHandle, PcscReaderHandle, PcscReaderState,
} from '../../../../native/transport/pcsc-card-reader.js';

const STATE = { CHANGED: 0x2, UNKNOWN: 0x4, UNAVAILABLE: 0x8, EMPTY: 0x10, PRESENT: 0x20, MUTE: 0x200 } as const;
const PNP = '\\\\?PnP?\\Notification';

export interface FakeCardScript {
  readonly atr: Uint8Array;
  readonly protocol?: 'T=0' | 'T=1';
  /** Answers one SCardTransmit; throw an Error with a package message to fail it. */
  transmit?(command: Uint8Array, options: { maxRecvLength: number }): Promise<Uint8Array> | Uint8Array;
  /** Fails SCardConnect with this package message. */
  readonly connectError?: string;
  readonly mute?: boolean;
}

interface FakeReader {
  state: number;
  card: FakeCardScript | undefined;
  /** Open card handles, and whether one of them holds the card exclusively. */
  handles: number;
  exclusive: boolean;
}

interface Wait {
  readonly context: FakeContext;
  readonly states: Array<{ name: string; state: number }>;
  readonly readerCount: number;
  resolve(result: PcscReaderState[] | null): void;
  reject(error: Error): void;
}

/** What a card handle was asked to do, in order. */
export type CardCall = `transmit ${string}` | `reconnect ${number}` | `disconnect ${number}`;

export class FakePcsc implements PcscApi {
  readonly SCARD_SHARE_EXCLUSIVE = 1;
  readonly SCARD_SHARE_SHARED = 2;
  readonly SCARD_PROTOCOL_T0 = 1;
  readonly SCARD_PROTOCOL_T1 = 2;
  readonly SCARD_LEAVE_CARD = 0;
  readonly SCARD_RESET_CARD = 1;
  readonly SCARD_UNPOWER_CARD = 2;
  readonly SCARD_STATE_CHANGED = STATE.CHANGED;
  readonly SCARD_STATE_PRESENT = STATE.PRESENT;
  readonly SCARD_STATE_MUTE = STATE.MUTE;
  readonly Context: new () => PcscContextHandle;

  readonly readers = new Map<string, FakeReader>();
  readonly openContexts = new Set<FakeContext>();
  readonly cardCalls: CardCall[] = [];
  readonly waits = new Set<Wait>();
  running = true;
  /** The next SCardCancel is lost, as when it lands before the wait has started. */
  loseNextCancel = false;
  contextsMade = 0;

  constructor(readers: string[] = []) {
    for (const name of readers) this.readers.set(name, { state: STATE.EMPTY, card: undefined, handles: 0, exclusive: false });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    this.Context = class extends FakeContext {
      constructor() {
        super(fake);
      }
    };
  }

  addReader(name: string): void {
    this.readers.set(name, { state: STATE.EMPTY, card: undefined, handles: 0, exclusive: false });
    this.notify();
  }

  removeReader(name: string): void {
    this.readers.delete(name);
    this.notify();
  }

  insert(name: string, card: FakeCardScript): void {
    const reader = this.#reader(name);
    reader.card = card;
    reader.state = this.#nextEvent(reader.state) | STATE.PRESENT | (card.mute ? STATE.MUTE : 0);
    this.notify();
  }

  remove(name: string): void {
    const reader = this.#reader(name);
    reader.card = undefined;
    reader.state = this.#nextEvent(reader.state) | STATE.EMPTY;
    this.notify();
  }

  /** A card taken out and another put in between two looks: still PRESENT, two card events later. */
  swap(name: string, card: FakeCardScript): void {
    const reader = this.#reader(name);
    reader.card = card;
    reader.state = this.#nextEvent(this.#nextEvent(reader.state)) | STATE.PRESENT;
    this.notify();
  }

  /** pcscd goes away: waits fail as the package reports it, new contexts are refused. */
  stop(): void {
    this.running = false;
    for (const wait of [...this.waits]) {
      this.waits.delete(wait);
      wait.reject(new Error('Communication error'));
    }
  }

  notify(): void {
    for (const wait of [...this.waits]) {
      const result = this.evaluate(wait.states, wait.readerCount);
      if (!result) continue;
      this.waits.delete(wait);
      wait.resolve(result);
    }
  }

  /** The states with CHANGED set where they differ, or undefined if nothing changed. */
  evaluate(states: Array<{ name: string; state: number }>, readerCount: number): PcscReaderState[] | undefined {
    let changed = false;
    const result = states.map(({ name, state }) => {
      if (name === PNP) {
        const moved = this.readers.size !== readerCount;
        changed ||= moved;
        return { name, state: moved ? STATE.CHANGED : 0, atr: null };
      }
      const reader = this.readers.get(name);
      const now = reader ? reader.state : STATE.UNKNOWN | STATE.UNAVAILABLE;
      const differs = now !== state;
      changed ||= differs;
      return { name, state: now | (differs ? STATE.CHANGED : 0), atr: reader?.card?.atr ?? null };
    });
    return changed ? result : undefined;
  }

  #reader(name: string): FakeReader {
    const reader = this.readers.get(name);
    if (!reader) throw new Error(`no fake reader ${name}`);
    return reader;
  }

  #nextEvent(state: number): number {
    return (((state >>> 16) + 1) << 16) >>> 0;
  }
}

class FakeContext implements PcscContextHandle {
  closed = false;

  constructor(private readonly fake: FakePcsc) {
    if (!fake.running) throw new Error('PC/SC service not running');
    fake.contextsMade += 1;
    fake.openContexts.add(this);
  }

  listReaders(): PcscReaderHandle[] {
    this.#assertUsable();
    return [...this.fake.readers].map(([name, reader]) => this.#handle(name, reader));
  }

  waitForChange(states: Array<{ name: string; state: number }>): Promise<PcscReaderState[] | null> {
    this.#assertUsable();
    const unknown = states.find(({ name }) => name !== PNP && !this.fake.readers.has(name));
    if (unknown) return Promise.reject(new Error('Unknown reader'));
    const readerCount = this.fake.readers.size;
    const now = this.fake.evaluate(states, readerCount);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      this.fake.waits.add({ context: this, states, readerCount, resolve, reject });
    });
  }

  cancel(): void {
    if (this.fake.loseNextCancel) {
      this.fake.loseNextCancel = false;
      return;
    }
    for (const wait of [...this.fake.waits]) {
      if (wait.context !== this) continue;
      this.fake.waits.delete(wait);
      wait.resolve(null);
    }
  }

  close(): void {
    this.closed = true;
    this.fake.openContexts.delete(this);
  }

  #assertUsable(): void {
    if (!this.fake.running) throw new Error('PC/SC service not running');
    if (this.closed) throw new Error('Context is not valid');
  }

  #handle(name: string, reader: FakeReader): PcscReaderHandle {
    const { fake } = this;
    return {
      name,
      state: reader.state,
      atr: reader.card?.atr ?? null,
      async connect(shareMode) {
        if (!fake.running) throw new Error('PC/SC service not running');
        const card = reader.card;
        if (!card) throw new Error('No smart card present');
        if (card.connectError) throw new Error(card.connectError);
        const exclusive = shareMode === fake.SCARD_SHARE_EXCLUSIVE;
        if (reader.exclusive || (exclusive && reader.handles > 0)) throw new Error('Sharing violation');
        return fakeCard(fake, reader, card, exclusive);
      },
    };
  }
}

function fakeCard(fake: FakePcsc, reader: FakeReader, card: FakeCardScript, exclusive: boolean): PcscCardHandle {
  reader.handles += 1;
  reader.exclusive ||= exclusive;
  let connected = true;
  return {
    protocol: card.protocol === 'T=0' ? fake.SCARD_PROTOCOL_T0 : fake.SCARD_PROTOCOL_T1,
    async transmit(command, options) {
      fake.cardCalls.push(`transmit ${Buffer.from(command).toString('hex')}`);
      if (!fake.running) throw new Error('Communication error');
      if (reader.card !== card) throw new Error('Card was removed');
      if (!card.transmit) return Uint8Array.of(0x90, 0x00);
      return card.transmit(Uint8Array.from(command), options);
    },
    getStatus() {
      return { state: reader.state, protocol: card.protocol === 'T=0' ? 1 : 2, atr: card.atr };
    },
    async reconnect(_shareMode, _protocols, initialization) {
      fake.cardCalls.push(`reconnect ${initialization}`);
      return 2;
    },
    disconnect(disposition) {
      fake.cardCalls.push(`disconnect ${disposition}`);
      if (!connected) return;
      connected = false;
      reader.handles -= 1;
      if (exclusive) reader.exclusive = false;
    },
  };
}
