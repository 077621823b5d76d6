// Card readers through PC/SC: Debian's pcscd, reached with the `smartcard` package
// (N-API bindings of libpcsclite). Implements CardReaders and CardSession from
// apdu-transport.ts: presence events from a watch loop on SCardGetStatusChange, sessions
// whose transmit completes T=0 answers (get-response.ts), and failures as DeviceErrors
// with codes (PCSC_NOT_RUNNING, PCSC_NO_READER, PCSC_NO_CARD, PCSC_CARD_REMOVED,
// PCSC_SHARING_VIOLATION, PCSC_TIMEOUT, …) and a message saying what to check.
//
// Handles, so close() leaves nothing that keeps the process alive: one PC/SC context for
// the watch loop (a blocking wait on a libuv worker thread, ended with SCardCancel), one
// for listing, and one per session, so a long transmit never blocks the JS thread behind
// a context lock. The package's ReaderMonitor (a native thread plus a thread-safe
// function) is not used. Nothing that talks to the card runs on the JS thread: the
// package's disconnect() is synchronous, so a session resets the card with SCardReconnect
// (a worker thread) and then disconnects leaving it; a blocking reset there would stall
// the UI, and deadlock with a vpcd card served from this same process. The package's
// errors carry only a message, so they are classified by the messages its pcsc_errors.h
// defines.
//
// libpcsclite reads PCSCLITE_CSOCK_NAME (the pcscd socket) once per process, at the first
// SCardEstablishContext, even a failed one: set it before the first context or not at all.

import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { DeviceError } from '../device-error.js';
import type {
  CardDisposition, CardProtocol, CardReaderEvents, CardReaderInfo, CardReaders, CardSession, ConnectOptions,
} from './apdu-transport.js';
import { transmitWholeResponse } from './get-response.js';

/** A reader's state as PC/SC reports it (SCARD_STATE_* flags; the high 16 bits count card events). */
export interface PcscReaderState {
  readonly name: string;
  readonly state: number;
  readonly atr: Uint8Array | null;
}

export interface PcscCardHandle {
  readonly protocol: number;
  transmit(command: Buffer, options: { maxRecvLength: number }): Promise<Uint8Array>;
  getStatus(): { state: number; protocol: number; atr: Uint8Array };
  /** Resets or power-cycles the card (initialization) on a worker thread. */
  reconnect(shareMode: number, protocols: number, initialization: number): Promise<number>;
  /** Synchronous, on the JS thread. */
  disconnect(disposition: number): void;
}

export interface PcscReaderHandle extends PcscReaderState {
  connect(shareMode: number, protocols: number): Promise<PcscCardHandle>;
}

export interface PcscContextHandle {
  listReaders(): PcscReaderHandle[];
  /** Resolves with the readers' states, [] on timeout, null when cancelled. */
  waitForChange(readers: Array<{ name: string; state: number }>, timeoutMs: number): Promise<PcscReaderState[] | null>;
  cancel(): void;
  close(): void;
}

/** The part of the `smartcard` package used here; unit tests pass a fake with the same shape. */
export interface PcscApi {
  readonly Context: new () => PcscContextHandle;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  readonly SCARD_STATE_CHANGED: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
}

/** Loaded on first use, so importing this file does not load the native addon. */
export function smartcardPackage(): PcscApi {
  return createRequire(import.meta.url)('smartcard') as PcscApi;
}

export interface PcscCardReadersOptions {
  /** Defaults to the `smartcard` package. */
  readonly pcsc?: PcscApi;
  /** How long one APDU exchange may take before the session gives up with PCSC_TIMEOUT; default 30 s. */
  readonly transmitTimeoutMs?: number;
  /** Longest wait per SCardGetStatusChange call before the reader list is read again; default 2 s. */
  readonly watchSliceMs?: number;
}

/** 65536 data bytes (Le = 00 00) and SW1 SW2. The package's default buffer is 258 bytes. */
const MAX_RESPONSE_LENGTH = 65_538;
const DEFAULT_TRANSMIT_TIMEOUT_MS = 30_000;
const DEFAULT_WATCH_SLICE_MS = 2_000;
/** pcsc-lite's pseudo-reader whose state changes when a reader is added or removed. */
const PNP_NOTIFICATION = '\\\\?PnP?\\Notification';
const CONNECTING = 'connecting';

type FailureKind =
  | 'not-running' | 'no-reader' | 'no-card' | 'removed' | 'lost' | 'reset' | 'mute' | 'sharing' | 'timeout'
  | 'too-long' | 'unsupported' | 'other';

/** The messages the package's pcsc_errors.h gives each PC/SC return code. */
const NATIVE_MESSAGES = new Map<string, FailureKind>([
  ['PC/SC service not running', 'not-running'],
  ['PC/SC service stopped', 'not-running'],
  ['No readers available', 'no-reader'],
  ['Unknown reader', 'no-reader'],
  ['Reader unavailable', 'no-reader'],
  ['No smart card present', 'no-card'],
  ['Card was removed', 'removed'],
  ['Transaction failed', 'lost'],
  ['Communication error', 'lost'],
  ['Invalid handle', 'lost'],
  ['Context is not valid', 'lost'],
  ['Card was reset', 'reset'],
  ['Card is unpowered', 'mute'],
  ['Card is unresponsive', 'mute'],
  ['Sharing violation', 'sharing'],
  ['Operation timed out', 'timeout'],
  ['Insufficient buffer', 'too-long'],
  ['Protocol mismatch', 'unsupported'],
  ['Card is not supported', 'unsupported'],
  ['Invalid ATR', 'unsupported'],
  ['Unknown card type', 'unsupported'],
]);

interface FailureContext {
  readonly reader?: string;
  /** What was going on, for the message: "connecting", "an APDU exchange", "watching the readers". */
  readonly during: string;
}

const PCSCD_CHECK = 'Check that pcscd runs (`systemctl status pcscd.socket pcscd`) and that this user may reach its '
  + 'socket (/run/pcscd/pcscd.comm, or PCSCLITE_CSOCK_NAME).';

function failure(kind: Exclude<FailureKind, 'lost'>, { reader, during }: FailureContext, cause: string): DeviceError {
  const on = reader ? `reader "${reader}"` : 'the reader';
  const details = { reader: reader ?? null, during, cause };
  switch (kind) {
    case 'not-running':
      return new DeviceError('PCSC_NOT_RUNNING',
        `The PC/SC service (pcscd) is not reachable (${during}: ${cause}). ${PCSCD_CHECK}`, details);
    case 'no-reader':
      return new DeviceError('PCSC_NO_READER',
        `${reader ? `No card reader named "${reader}" is connected` : 'No card reader is connected'} (${during}). `
        + 'Check the reader\'s USB cable and that `pcsc_scan` lists it.', details);
    case 'no-card':
      return new DeviceError('PCSC_NO_CARD',
        `There is no card on ${on} (${during}). Place the document on the reader and keep it still.`, details);
    case 'removed':
      return new DeviceError('PCSC_CARD_REMOVED',
        `The card on ${on} was removed or lost contact during ${during}. Keep the document still on the reader `
        + 'and read it again.', details);
    case 'reset':
      return new DeviceError('PCSC_CARD_RESET',
        `Another program reset the card on ${on} during ${during}; read it again, and check that no other `
        + 'smart-card program runs on this terminal.', details);
    case 'mute':
      return new DeviceError('PCSC_CARD_MUTE',
        `The card on ${on} does not answer (${cause}). Check that it lies flat on the reader, chip side `
        + 'towards it; a damaged chip shows the same.', details);
    case 'sharing':
      return new DeviceError('PCSC_SHARING_VIOLATION',
        `Another program is using ${on} (${during}). Close other smart-card programs on this terminal `
        + '(`pcsc_scan`, browsers with a PKCS#11 module, another kiosk instance) and try again.', details);
    case 'timeout':
      return new DeviceError('PCSC_TIMEOUT',
        `The card on ${on} did not answer in time (${during}). Take the document off the reader and place it `
        + 'again; if every document does this, check the reader and the pcscd log.', details);
    case 'too-long':
      return new DeviceError('PCSC_RESPONSE_TOO_LONG',
        `The answer from ${on} did not fit the ${MAX_RESPONSE_LENGTH}-byte receive buffer (${during}).`, details);
    case 'unsupported':
      return new DeviceError('PCSC_CARD_UNSUPPORTED',
        `The card on ${on} cannot be used (${cause}). Check that it is a passport or ID card with a chip.`, details);
    case 'other':
      return new DeviceError('PCSC_ERROR', `PC/SC failed on ${on} during ${during}: ${cause}.`, details);
  }
}

export class PcscCardReaders extends EventEmitter<CardReaderEvents> implements CardReaders {
  readonly description = 'PC/SC (pcscd)';
  readonly #pcsc: () => PcscApi;
  readonly #transmitTimeoutMs: number;
  readonly #watchSliceMs: number;
  #loaded: PcscApi | undefined;
  #listContext: PcscContextHandle | undefined;
  #watch: WatchLoop | undefined;
  readonly #sessions = new Set<PcscCardSession>();
  #closed = false;

  constructor(options: PcscCardReadersOptions = {}) {
    super();
    this.#pcsc = () => (this.#loaded ??= options.pcsc ?? smartcardPackage());
    this.#transmitTimeoutMs = options.transmitTimeoutMs ?? DEFAULT_TRANSMIT_TIMEOUT_MS;
    this.#watchSliceMs = options.watchSliceMs ?? DEFAULT_WATCH_SLICE_MS;
  }

  /** True while the watch loop runs; it stops when close() is called or pcscd goes away. */
  get watching(): boolean {
    return this.#watch !== undefined;
  }

  async listReaders(): Promise<CardReaderInfo[]> {
    this.#assertOpen();
    const context = (this.#listContext ??= this.#newContext('listing the readers'));
    let readers: PcscReaderHandle[];
    try {
      readers = context.listReaders();
    } catch (error) {
      this.#listContext = undefined;
      context.close();
      throw await this.#classify(error, { during: 'listing the readers' });
    }
    const { SCARD_STATE_PRESENT, SCARD_STATE_MUTE } = this.#pcsc();
    return readers.map(({ name, state, atr }) => {
      const cardPresent = (state & SCARD_STATE_PRESENT) !== 0 && (state & SCARD_STATE_MUTE) === 0;
      return cardPresent && atr ? { name, cardPresent, atr: Uint8Array.from(atr) } : { name, cardPresent };
    });
  }

  async watch(): Promise<void> {
    this.#assertOpen();
    if (this.#watch) return this.#watch.ready;
    const context = this.#newContext('watching the readers');
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const watch: WatchLoop = { context, ready, done: Promise.resolve(), stopping: false };
    this.#watch = watch;
    watch.done = this.#watchLoop(watch, markReady, failReady).finally(() => {
      context.close();
      if (this.#watch === watch) this.#watch = undefined;
    });
    return ready;
  }

  async connect(reader: string, options: ConnectOptions = {}): Promise<CardSession> {
    this.#assertOpen();
    const pcsc = this.#pcsc();
    const during = CONNECTING;
    const context = this.#newContext(during, reader);
    try {
      const handle = context.listReaders().find((candidate) => candidate.name === reader);
      if (!handle) throw failure('no-reader', { reader, during }, 'not in the reader list');
      const share = options.share === 'shared' ? pcsc.SCARD_SHARE_SHARED : pcsc.SCARD_SHARE_EXCLUSIVE;
      const card = await handle.connect(share, pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1);
      const { atr } = card.getStatus();
      const protocol: CardProtocol = card.protocol === pcsc.SCARD_PROTOCOL_T0 ? 'T=0'
        : card.protocol === pcsc.SCARD_PROTOCOL_T1 ? 'T=1' : 'raw';
      const session = new PcscCardSession({
        pcsc, context, card, share, reader, atr: Uint8Array.from(atr), protocol,
        transmitTimeoutMs: this.#transmitTimeoutMs,
        classify: (error, situation) => this.#classify(error, situation),
        onEnd: (ended) => this.#sessions.delete(ended),
      });
      if (this.#closed) {
        await session.disconnect('leave');
        throw closedError(this.description);
      }
      this.#sessions.add(session);
      return session;
    } catch (error) {
      context.close();
      if (error instanceof DeviceError) throw error;
      throw await this.#classify(error, { reader, during });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const watch = this.#watch;
    if (watch) {
      watch.stopping = true;
      await cancelUntilSettled(watch.context, watch.done);
    }
    await Promise.all([...this.#sessions].map((session) => session.disconnect()));
    this.#listContext?.close();
    this.#listContext = undefined;
  }

  async #watchLoop(watch: WatchLoop, markReady: () => void, failReady: (error: Error) => void): Promise<void> {
    const { SCARD_STATE_CHANGED } = this.#pcsc();
    const known = new Map<string, ReaderPresence>();
    let ready = false;
    try {
      for (;;) {
        if (watch.stopping) {
          if (!ready) failReady(closedError(this.description));
          return;
        }
        this.#syncReaderList(known, watch.context.listReaders().map((reader) => reader.name));
        if (known.size === 0 && !ready) {
          ready = true;
          markReady();
        }
        const states = [...known].map(([name, presence]) => ({ name, state: presence.state }));
        let changes: PcscReaderState[] | null;
        try {
          const pnp = { name: PNP_NOTIFICATION, state: 0 };
          changes = await watch.context.waitForChange([...states, pnp], this.#watchSliceMs);
        } catch (error) {
          // A reader left between listing and waiting; the next listing drops it.
          if ((error as Error).message === 'Unknown reader') continue;
          throw error;
        }
        if (changes === null) continue;
        for (const change of changes) {
          const presence = known.get(change.name);
          if (presence) this.#updatePresence(change.name, presence, change.state & ~SCARD_STATE_CHANGED, change.atr);
        }
        if (!ready) {
          ready = true;
          markReady();
        }
      }
    } catch (error) {
      if (watch.stopping) {
        if (!ready) failReady(closedError(this.description));
        return;
      }
      const lost = await this.#classify(error, { during: 'watching the readers' });
      for (const name of [...known.keys()]) this.#forgetReader(known, name);
      if (ready) this.#report(lost);
      else failReady(lost);
    }
  }

  #syncReaderList(known: Map<string, ReaderPresence>, names: string[]): void {
    for (const name of [...known.keys()]) {
      if (!names.includes(name)) this.#forgetReader(known, name);
    }
    for (const name of names) {
      if (known.has(name)) continue;
      known.set(name, { state: 0, present: false, mute: false });
      this.emit('reader-added', name);
    }
  }

  #forgetReader(known: Map<string, ReaderPresence>, name: string): void {
    if (known.get(name)?.present) this.emit('card-removed', name);
    known.delete(name);
    this.emit('reader-removed', name);
  }

  #updatePresence(name: string, presence: ReaderPresence, state: number, atr: Uint8Array | null): void {
    const { SCARD_STATE_PRESENT, SCARD_STATE_MUTE } = this.#pcsc();
    const mute = (state & SCARD_STATE_PRESENT) !== 0 && (state & SCARD_STATE_MUTE) !== 0;
    const present = (state & SCARD_STATE_PRESENT) !== 0 && !mute;
    // The high 16 bits count card events: a card swapped between two waits keeps PRESENT set.
    const swapped = presence.present && present && (presence.state >>> 16) !== (state >>> 16);
    if (presence.present && (!present || swapped)) this.emit('card-removed', name);
    if (present && (!presence.present || swapped)) this.emit('card-inserted', name, Uint8Array.from(atr ?? []));
    if (mute && !presence.mute) {
      this.#report(failure('mute', { reader: name, during: 'card insertion' }, 'the card gave no ATR'));
    }
    presence.state = state;
    presence.present = present;
    presence.mute = mute;
  }

  #newContext(during: string, reader?: string): PcscContextHandle {
    try {
      return new (this.#pcsc().Context)();
    } catch (error) {
      const kind = NATIVE_MESSAGES.get((error as Error).message) ?? 'other';
      throw failure(kind === 'lost' ? 'not-running' : kind, { reader, during }, (error as Error).message);
    }
  }

  /** Turns a native error into a DeviceError; for a lost link, asks pcscd whether it is still there. */
  async #classify(error: unknown, situation: FailureContext): Promise<DeviceError> {
    if (error instanceof DeviceError) return error;
    const cause = error instanceof Error ? error.message : String(error);
    let kind = NATIVE_MESSAGES.get(cause) ?? 'other';
    if (kind === 'lost') kind = this.#serviceReachable() ? 'removed' : 'not-running';
    // A card that went away before the connection was made is simply not there.
    if (kind === 'removed' && situation.during === CONNECTING) kind = 'no-card';
    return failure(kind, situation, cause);
  }

  #serviceReachable(): boolean {
    try {
      new (this.#pcsc().Context)().close();
      return true;
    } catch {
      return false;
    }
  }

  #report(error: DeviceError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(this.description);
  }
}

function closedError(description: string): DeviceError {
  return new DeviceError('PCSC_CLOSED', `${description}: the card readers were closed.`);
}

interface WatchLoop {
  readonly context: PcscContextHandle;
  /** Resolves once the readers and cards present at the start have been reported. */
  readonly ready: Promise<void>;
  /** Settles when the loop has ended. */
  done: Promise<void>;
  stopping: boolean;
}

interface ReaderPresence {
  state: number;
  present: boolean;
  mute: boolean;
}

/**
 * SCardCancel only interrupts a wait already in progress, so a cancel that lands just
 * before the worker thread starts waiting is lost: repeat it until the loop has ended.
 */
async function cancelUntilSettled(context: PcscContextHandle, done: Promise<void>): Promise<void> {
  let settled = false;
  void done.then(() => { settled = true; });
  while (!settled) {
    try {
      context.cancel();
    } catch {
      // The context is already gone; the loop ends on its own.
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => { timer = setTimeout(resolve, 50); })]);
    clearTimeout(timer);
  }
}

interface SessionParts {
  readonly pcsc: PcscApi;
  readonly context: PcscContextHandle;
  readonly card: PcscCardHandle;
  readonly share: number;
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  readonly transmitTimeoutMs: number;
  readonly classify: (error: unknown, situation: FailureContext) => Promise<DeviceError>;
  readonly onEnd: (session: PcscCardSession) => void;
}

/**
 * One connection to the card in one reader. Exchanges run one at a time in call order, so
 * a GET RESPONSE chain is never interleaved. After a PC/SC failure the session is
 * unusable (every transmit repeats the failure): disconnect and connect again.
 */
class PcscCardSession implements CardSession {
  readonly description: string;
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  readonly #parts: SessionParts;
  /** Settles when every exchange asked for so far is over. */
  #queue: Promise<void> = Promise.resolve();
  /** Settles when the last native SCardTransmit returned, even one a timeout gave up on. */
  #nativeCall: Promise<void> = Promise.resolve();
  #failure: DeviceError | undefined;
  #ended = false;

  constructor(parts: SessionParts) {
    this.#parts = parts;
    this.reader = parts.reader;
    this.atr = parts.atr;
    this.protocol = parts.protocol;
    this.description = `PC/SC reader "${parts.reader}"`;
  }

  transmit(command: Uint8Array): Promise<Uint8Array> {
    const send = (part: Uint8Array): Promise<Uint8Array> => this.#transmitOnce(part);
    const exchange = this.#queue.then(() => transmitWholeResponse(send, command, this.description));
    this.#queue = exchange.then(() => undefined, () => undefined);
    return exchange;
  }

  async disconnect(disposition: CardDisposition = 'reset'): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#queue;
    // SCardDisconnect would wait for the context lock a stuck SCardTransmit holds, on the JS thread.
    await this.#nativeCall;
    const { pcsc, card, context, share } = this.#parts;
    // SCardDisconnect runs on the JS thread, and with RESET or UNPOWER it waits for the card
    // (for a vpcd card served from this process, forever). Reset or power-cycle through
    // SCardReconnect on a worker thread instead, then leave the card as it is.
    if (disposition !== 'leave' && !this.#failure) {
      const initialization = disposition === 'reset' ? pcsc.SCARD_RESET_CARD : pcsc.SCARD_UNPOWER_CARD;
      await card.reconnect(share, pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1, initialization).catch(() => undefined);
    }
    try {
      card.disconnect(pcsc.SCARD_LEAVE_CARD);
    } catch {
      // The card or pcscd is gone already; the handle is released either way.
    }
    context.close();
    this.#parts.onEnd(this);
  }

  async #transmitOnce(command: Uint8Array): Promise<Uint8Array> {
    if (this.#failure) throw this.#failure;
    if (this.#ended) {
      throw new DeviceError('PCSC_SESSION_CLOSED', `${this.description}: the card session was disconnected.`,
        { reader: this.reader });
    }
    const situation = { reader: this.reader, during: 'an APDU exchange' };
    const call = this.#parts.card.transmit(Buffer.from(command), { maxRecvLength: MAX_RESPONSE_LENGTH });
    this.#nativeCall = call.then(() => undefined, () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([call, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure('timeout', situation,
          `no answer within ${this.#parts.transmitTimeoutMs / 1000} s`)), this.#parts.transmitTimeoutMs);
      })]);
      // vpcd reports a card that vanished mid-exchange as a successful empty answer.
      if (response.length < 2) throw failure('removed', situation, `the reader returned ${response.length} bytes`);
      return Uint8Array.from(response);
    } catch (error) {
      const classified = await this.#parts.classify(error, situation);
      if (classified.code !== 'PCSC_RESPONSE_TOO_LONG') this.#failure = classified;
      throw classified;
    } finally {
      clearTimeout(timer);
    }
  }
}
