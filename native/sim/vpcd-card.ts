// Puts an in-process virtual card behind real PC/SC: vsmartcard's vpcd driver (Debian
// package vsmartcard-vpcd) adds a virtual reader to pcscd and listens on TCP (default
// port 35963, 0x8C7B, on all interfaces); a card emulator is its TCP client. Connecting
// inserts the card, disconnecting removes it. pcscd notices either on its next presence
// poll (about every 0.4 s), which is also an ATR request; a remove() and insert() within
// one poll look to pcscd like the same card staying, so wait for the removal to be seen.
// This file is that client; the wire format is in vpcd-framing.ts. It never reconnects on
// its own: a card is inserted only by insert(). vpcd is for tests and simulators: it
// listens on every interface, never ship it on a kiosk.
//
// The socket lives on a worker thread that answers pcscd's presence polls (ATR requests)
// by itself, so a card served from the same process as its PC/SC client never waits for
// the JS thread there. pcscd polls holding the reader's lock, and the `smartcard` package's
// SCardDisconnect (even leaving the card) runs on the JS thread and waits for that lock:
// with the poll waiting for this thread, that deadlocked (seen right after chip reads, whose
// last ATR request came while the JS thread was busy verifying). APDUs and power events still go to the card on the JS thread, in order; an
// APDU holds vpcd up until the card answers (no synchronous PC/SC call is made meanwhile),
// a power event does not, so the card sees a reset a moment after pcscd has finished it.

import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { DeviceError } from '../device-error.js';
import { encodeVpcdFrame, parseVpcdRequest, VpcdControl, type VpcdRequest } from './vpcd-framing.js';

export const VPCD_DEFAULT_HOST = '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

/** A smart card in software; what vpcd sends is turned into these calls. */
export interface VirtualCard {
  /** Sent on every ATR request; pcscd asks each time it polls for presence. */
  readonly atr: Uint8Array;
  powerOn?(): void;
  powerOff?(): void;
  /** Warm reset: a real chip drops its session state (selected file, secure messaging). */
  reset?(): void;
  /** One command APDU in, the response APDU (data, SW1 SW2) out. */
  transmit(apdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * Resolves when the card leaves the reader by itself (a simulated pull, e.g. in the middle of
   * an APDU): the emulator then disconnects, so pcscd reports the card removed, and an APDU in
   * flight gets no answer.
   */
  readonly removed?: Promise<void>;
}

export interface VpcdCardEmulatorOptions {
  readonly host?: string;
  /** The vpcd slot's port: CHANNELID in reader.conf; slot n of a vpcd reader listens on CHANNELID + n. */
  readonly port?: number;
}

export type VpcdCardEmulatorEvents = {
  /** vpcd closed the connection (pcscd stopped or gave up on the card); the card is out. */
  disconnected: [reason: string];
  /** A card method threw or an answer could not be framed; an APDU then got 6F 00. */
  error: [error: Error];
};

/** SW 6F00: "no precise diagnosis", what the emulator answers when the card code fails. */
const NO_PRECISE_DIAGNOSIS = Uint8Array.of(0x6f, 0x00);

/** What the link thread tells the emulator. */
type LinkMessage =
  | { readonly type: 'connected' }
  | { readonly type: 'failed'; readonly message: string }
  /** A message from vpcd other than an ATR request, for the card. */
  | { readonly type: 'request'; readonly payload: Uint8Array }
  | { readonly type: 'closed'; readonly hadError: boolean };

/**
 * The link thread: plain JavaScript run with `eval`, so it needs no build step under a test
 * runner either. It splits vpcd's stream into messages (2-byte length, then the payload, as
 * vpcd-framing.ts describes), answers an ATR request with the frame it was given — at once,
 * or after the answers to APDUs before it, as vpcd reads answers in order — passes every
 * other message on, writes the answers it is sent, and ends once the socket closes.
 */
const LINK_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { host, port, atrFrame } = workerData;
const socket = connect({ host, port });
let connected = false;
let pending = Buffer.alloc(0);
/** The answers owed, in order: 'apdu' (the card's) and 'atr' (owed after an APDU's). */
const owed = [];
const flushAtrs = () => {
  while (owed[0] === 'atr') { owed.shift(); socket.write(atrFrame); }
};
socket.setNoDelay(true);
socket.once('connect', () => { connected = true; parentPort.postMessage({ type: 'connected' }); });
socket.on('error', (error) => { if (!connected) parentPort.postMessage({ type: 'failed', message: error.message }); });
socket.once('close', (hadError) => {
  if (connected) parentPort.postMessage({ type: 'closed', hadError });
  parentPort.close();
});
socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
    const payload = Uint8Array.from(pending.subarray(2, 2 + pending.readUInt16BE(0)));
    pending = pending.subarray(2 + payload.length);
    if (payload.length === 1 && payload[0] === ${VpcdControl.GetAtr}) {
      owed.push('atr');
      flushAtrs();
    } else {
      if (payload.length > 1) owed.push('apdu');
      parentPort.postMessage({ type: 'request', payload });
    }
  }
});
parentPort.on('message', (message) => {
  if (message.type !== 'answer') return socket.destroy();
  owed.shift();
  socket.write(message.frame);
  flushAtrs();
});
`;

export class VpcdCardEmulator extends EventEmitter<VpcdCardEmulatorEvents> {
  readonly description: string;
  readonly #host: string;
  readonly #port: number;
  #link: Worker | undefined;
  #card: VirtualCard | undefined;
  /** Messages are answered one at a time, in order. */
  #work: Promise<void> = Promise.resolve();

  constructor(options: VpcdCardEmulatorOptions = {}) {
    super();
    this.#host = options.host ?? VPCD_DEFAULT_HOST;
    this.#port = options.port ?? VPCD_DEFAULT_PORT;
    this.description = `vpcd card at ${this.#host}:${this.#port}`;
  }

  get card(): VirtualCard | undefined {
    return this.#card;
  }

  get inserted(): boolean {
    return this.#link !== undefined;
  }

  /** Connects to vpcd; resolves once connected (pcscd reports the card on its next poll). */
  async insert(card: VirtualCard): Promise<void> {
    if (this.#link) {
      throw new DeviceError('VPCD_CARD_PRESENT', `${this.description}: a card is already inserted; remove it first.`);
    }
    const link = new Worker(LINK_THREAD, {
      eval: true, workerData: { host: this.#host, port: this.#port, atrFrame: encodeVpcdFrame(card.atr) },
    });
    this.#link = link;
    this.#card = card;
    const first = await new Promise<LinkMessage>((resolve) => {
      link.once('message', resolve);
      link.once('error', (error) => resolve({ type: 'failed', message: error.message }));
    });
    if (first.type !== 'connected') {
      this.#link = undefined;
      this.#card = undefined;
      await link.terminate();
      const cause = first.type === 'failed' ? first.message : first.type;
      throw new DeviceError('VPCD_CONNECT_FAILED',
        `Could not reach vpcd at ${this.#host}:${this.#port}: ${cause}. Check that pcscd is `
        + 'running with a vpcd reader on that port (reader.conf: DEVICENAME /dev/null:PORT, CHANNELID PORT).',
        { host: this.#host, port: this.#port, cause });
    }
    void card.removed?.then(() => {
      if (this.#card === card) void this.remove();
    });
    link.on('message', (message: LinkMessage) => {
      if (message.type === 'request') {
        const request = parseVpcdRequest(message.payload);
        this.#work = this.#work
          .then(() => this.#answer(link, card, request))
          .catch((error: Error) => this.#report(error));
      } else if (message.type === 'closed') {
        this.#linkClosed(link, message.hadError ? 'the connection to vpcd failed' : 'vpcd closed the connection');
      }
    });
    link.on('error', (error) => this.#linkClosed(link, `the vpcd link thread failed: ${error.message}`));
  }

  /** Disconnects: the card leaves the reader. Answers still being computed are dropped. */
  async remove(): Promise<void> {
    const link = this.#link;
    if (!link) return;
    this.#link = undefined;
    this.#card = undefined;
    const exited = new Promise<void>((resolve) => link.once('exit', () => resolve()));
    link.postMessage({ type: 'close' });
    await exited;
  }

  #linkClosed(link: Worker, reason: string): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#card = undefined;
    if (this.listenerCount('disconnected') > 0) this.emit('disconnected', reason);
  }

  async #answer(link: Worker, card: VirtualCard, request: VpcdRequest): Promise<void> {
    switch (request.kind) {
      case 'power-on': return this.#call(() => card.powerOn?.());
      case 'power-off': return this.#call(() => card.powerOff?.());
      case 'reset': return this.#call(() => card.reset?.());
      // The link thread answers ATR requests itself.
      case 'get-atr':
      case 'empty': return;
      case 'unknown-control':
        return this.#report(new DeviceError('VPCD_UNKNOWN_CONTROL',
          `${this.description}: vpcd sent the unknown control code ${request.code}; this emulator knows 0, 1, 2 and 4.`,
          { code: request.code }));
      case 'apdu': {
        let response: Uint8Array;
        try {
          response = await card.transmit(request.apdu);
        } catch (error) {
          // A card that pulled itself out (`removed`) gives no answer: vpcd sees the card gone.
          if (this.#card !== card) return;
          this.#report(error as Error);
          response = NO_PRECISE_DIAGNOSIS;
        }
        return this.#send(link, response);
      }
    }
  }

  #call(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#report(error as Error);
    }
  }

  #send(link: Worker, payload: Uint8Array): void {
    if (this.#link !== link) return;
    let frame: Uint8Array;
    try {
      frame = encodeVpcdFrame(payload);
    } catch (error) {
      this.#report(error as Error);
      frame = encodeVpcdFrame(NO_PRECISE_DIAGNOSIS);
    }
    link.postMessage({ type: 'answer', frame });
  }

  #report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
