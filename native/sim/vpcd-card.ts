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
// Keep a card that is served from the same process as its PC/SC client off the JS thread's
// critical path: any synchronous PC/SC call that waits for the card (SCardDisconnect with
// a reset does) deadlocks, as the answer can only come from this thread.

import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { DeviceError } from '../device-error.js';
import { encodeVpcdFrame, parseVpcdRequest, VpcdFrameDecoder, type VpcdRequest } from './vpcd-framing.js';

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

export class VpcdCardEmulator extends EventEmitter<VpcdCardEmulatorEvents> {
  readonly description: string;
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
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
    return this.#socket !== undefined;
  }

  /** Connects to vpcd; resolves once connected (pcscd reports the card on its next poll). */
  async insert(card: VirtualCard): Promise<void> {
    if (this.#socket) {
      throw new DeviceError('VPCD_CARD_PRESENT', `${this.description}: a card is already inserted; remove it first.`);
    }
    const socket = connect({ host: this.#host, port: this.#port });
    this.#socket = socket;
    this.#card = card;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
    } catch (error) {
      this.#socket = undefined;
      this.#card = undefined;
      socket.destroy();
      throw new DeviceError('VPCD_CONNECT_FAILED',
        `Could not reach vpcd at ${this.#host}:${this.#port}: ${(error as Error).message}. Check that pcscd is `
        + 'running with a vpcd reader on that port (reader.conf: DEVICENAME /dev/null:PORT, CHANNELID PORT).',
        { host: this.#host, port: this.#port, cause: (error as Error).message });
    }
    socket.setNoDelay(true);
    const decoder = new VpcdFrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const payload of decoder.push(chunk)) {
        const request = parseVpcdRequest(payload);
        this.#work = this.#work
          .then(() => this.#answer(socket, card, request))
          .catch((error: Error) => this.#report(error));
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', (hadError) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#card = undefined;
      if (this.listenerCount('disconnected') > 0) {
        this.emit('disconnected', hadError ? 'the connection to vpcd failed' : 'vpcd closed the connection');
      }
    });
  }

  /** Disconnects: the card leaves the reader. Answers still being computed are dropped. */
  async remove(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    this.#card = undefined;
    if (!socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  async #answer(socket: Socket, card: VirtualCard, request: VpcdRequest): Promise<void> {
    switch (request.kind) {
      case 'power-on': return this.#call(() => card.powerOn?.());
      case 'power-off': return this.#call(() => card.powerOff?.());
      case 'reset': return this.#call(() => card.reset?.());
      case 'get-atr': return this.#send(socket, card.atr);
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
          this.#report(error as Error);
          response = NO_PRECISE_DIAGNOSIS;
        }
        return this.#send(socket, response);
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

  #send(socket: Socket, payload: Uint8Array): void {
    if (this.#socket !== socket || socket.destroyed) return;
    let frame: Uint8Array;
    try {
      frame = encodeVpcdFrame(payload);
    } catch (error) {
      this.#report(error as Error);
      frame = encodeVpcdFrame(NO_PRECISE_DIAGNOSIS);
    }
    socket.write(frame);
  }

  #report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
