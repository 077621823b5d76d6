// The APDU-level transport, beside the byte-stream Transport: smart-card protocol code
// (the eMRTD reader: BAC, PACE, secure messaging) sends whole command APDUs and gets whole
// response APDUs (ISO/IEC 7816-4), and a CardReaders reports readers and cards coming and
// going and opens a CardSession on a card. Library-free on purpose: protocol code and its
// tests depend only on this file, never on PC/SC or the `smartcard` package.

import type { EventEmitter } from 'node:events';

export interface ApduTransport {
  /** Human-readable link name for messages, e.g. `PC/SC reader "ACS ACR1252 00 00"`. */
  readonly description: string;
  /**
   * Sends one command APDU and resolves with the response: data, then SW1 SW2.
   * Transports on a real card complete T=0 answers first (GET RESPONSE after 61xx, the
   * command again with the right Le after 6Cxx; see get-response.ts), so a caller never
   * sees 61xx or 6Cxx. Failures are DeviceErrors with a code (e.g. PCSC_CARD_REMOVED).
   */
  transmit(command: Uint8Array): Promise<Uint8Array>;
}

/** The transmission protocol PC/SC negotiated; contactless chips (T=CL) show as T=1. */
export type CardProtocol = 'T=0' | 'T=1' | 'raw';

/** What happens to the card when a session ends; `reset` also ends any secure messaging session on the chip. */
export type CardDisposition = 'leave' | 'reset' | 'unpower';

export interface CardSession extends ApduTransport {
  readonly reader: string;
  /** The card's Answer To Reset (for a contactless chip, the reader's synthesised ATR). */
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  /** Ends the session and releases the card; idempotent. Default disposition: `reset`. */
  disconnect(disposition?: CardDisposition): Promise<void>;
}

export interface CardReaderInfo {
  readonly name: string;
  readonly cardPresent: boolean;
  /** The ATR while a card is present. */
  readonly atr?: Uint8Array;
}

export type CardReaderEvents = {
  'reader-added': [reader: string];
  'reader-removed': [reader: string];
  'card-inserted': [reader: string, atr: Uint8Array];
  /** Also emitted before `reader-removed` when a reader goes away with a card in it. */
  'card-removed': [reader: string];
  /** Watching failed or a card is present but mute; a DeviceError saying what to check. */
  error: [error: Error];
};

export interface ConnectOptions {
  /** `exclusive` (default) keeps other programs off the card for the whole session. */
  readonly share?: 'exclusive' | 'shared';
}

export interface CardReaders extends EventEmitter<CardReaderEvents> {
  /** For messages, e.g. "PC/SC (pcscd)". */
  readonly description: string;
  listReaders(): Promise<CardReaderInfo[]>;
  /**
   * Starts reporting readers and cards. Resolves once what is there already has been
   * reported as `reader-added` and `card-inserted` events.
   */
  watch(): Promise<void>;
  connect(reader: string, options?: ConnectOptions): Promise<CardSession>;
  /** Stops watching, disconnects open sessions and releases every handle, so the process can exit. */
  close(): Promise<void>;
}
