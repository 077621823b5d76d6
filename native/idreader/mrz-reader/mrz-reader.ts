// The MRZ reader driver: follows a reader's DeviceLink, decodes the framing the reader is
// configured for, parses every read with the ICAO 9303 parser and reports it once, so a
// document left on the reader or swiped twice within the duplicate window is one read.

import { EventEmitter } from 'node:events';
import { DeviceError } from '../../device-error.js';
import type { DeviceLink, LinkStatus } from '../../transport/device-link.js';
import type { Transport } from '../../transport/transport.js';
import { parseMrz, type MrzResult } from '../mrz/index.js';
import { createMrzFrameDecoder, type MrzFrameDecoder, type MrzFrameEvent, type MrzFraming } from './framings.js';

export interface MrzReaderOptions {
  /** From the reader's configuration, validated with `parseMrzFraming`. */
  readonly framing: MrzFraming;
  /** A read with the same lines as the previous one within this long of it is merged into it. */
  readonly duplicateWindowMs?: number;
  /** The clock for timestamps, the duplicate window and the parser's date checks. */
  readonly now?: () => Date;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 3_000;

/** The parse of a read: the result (valid or not), or why the lines are no MRZ at all. */
export type MrzParse = { readonly ok: true; readonly result: MrzResult } | { readonly ok: false; readonly error: DeviceError };

export interface MrzRead {
  /** The lines as the reader sent them (after `_` padding is turned into `<`). */
  readonly lines: string[];
  readonly parse: MrzParse;
  /** When the read arrived, ISO 8601. */
  readonly at: string;
}

export type MrzReaderEvents = {
  read: [read: MrzRead];
  /** A broken frame (bad block check, cut off, incomplete); reading goes on. */
  fault: [error: DeviceError];
  /** The reader's link status, as the DeviceLink reports it. */
  status: [status: LinkStatus];
};

interface Connection {
  readonly transport: Transport;
  readonly decoder: MrzFrameDecoder;
  readonly onData: (chunk: Uint8Array) => void;
  idleTimer: NodeJS.Timeout | undefined;
}

function parseRead(lines: readonly string[], now: Date): MrzParse {
  try {
    return { ok: true, result: parseMrz(lines, { now }) };
  } catch (error) {
    if (error instanceof DeviceError) return { ok: false, error };
    throw error;
  }
}

/** What makes two reads the same document: their lines, trimmed and upper-cased. */
function documentKey(lines: readonly string[]): string {
  return lines.map((line) => line.trim().toUpperCase()).join('\n');
}

export class MrzReader extends EventEmitter<MrzReaderEvents> {
  readonly #windowMs: number;
  readonly #now: () => Date;
  #connection: Connection | undefined;
  #last: { key: string; seenAt: number } | undefined;
  readonly #onStatus = (status: LinkStatus): void => {
    this.emit('status', status);
    const { transport } = this.link;
    if (status.state === 'connected' && transport) this.#attach(transport);
    else this.#detach(true);
  };

  constructor(private readonly link: DeviceLink, private readonly options: MrzReaderOptions) {
    super();
    this.#windowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.#now = options.now ?? (() => new Date());
  }

  /** The link's current status, for whoever starts listening late. */
  get status(): LinkStatus {
    return this.link.status;
  }

  /** Starts following the link (which the caller starts and stops). */
  start(): void {
    this.link.on('status', this.#onStatus);
    const { transport } = this.link;
    if (transport) this.#attach(transport);
  }

  stop(): void {
    this.link.off('status', this.#onStatus);
    this.#detach(false);
  }

  #attach(transport: Transport): void {
    if (this.#connection?.transport === transport) return;
    this.#detach(true);
    const connection: Connection = {
      transport,
      decoder: createMrzFrameDecoder(this.options.framing),
      onData: (chunk) => {
        this.#handle(connection, connection.decoder.push(chunk));
        clearTimeout(connection.idleTimer);
        connection.idleTimer = setTimeout(() => this.#handle(connection, connection.decoder.flush()),
          this.options.framing.idleGapMs);
      },
      idleTimer: undefined,
    };
    transport.on('data', connection.onData);
    this.#connection = connection;
  }

  /** Stops listening to the current transport; `report` says whether a read cut off by it is a fault. */
  #detach(report: boolean): void {
    const connection = this.#connection;
    if (!connection) return;
    this.#connection = undefined;
    connection.transport.off('data', connection.onData);
    clearTimeout(connection.idleTimer);
    const pending = connection.decoder.flush();
    if (report) this.#handle(connection, pending);
  }

  #handle(connection: Connection, events: readonly MrzFrameEvent[]): void {
    for (const event of events) {
      if (event.type === 'read') this.#read(event.lines);
      else this.emit('fault', this.#withLink(connection, event.error));
    }
  }

  /** The framing error with the reader and its port named, for the person who has to act on it. */
  #withLink(connection: Connection, error: DeviceError): DeviceError {
    const link = connection.transport.description;
    return new DeviceError(error.code, `MRZ reader on ${link}: ${error.message}`, { ...error.details, link });
  }

  #read(lines: string[]): void {
    const now = this.#now();
    const key = documentKey(lines);
    const last = this.#last;
    this.#last = { key, seenAt: now.getTime() };
    if (last && last.key === key && now.getTime() - last.seenAt <= this.#windowMs) return;
    this.emit('read', { lines, parse: parseRead(lines, now), at: now.toISOString() });
  }
}
