// Driver for Chinese resident-ID card readers built around a SAM security module
// (GA/T 467): one command in flight at a time, each with its own timeout, and every
// status the module can answer turned into a typed DeviceError.

import { DeviceError } from '../../device-error.js';
import type { Transport } from '../../transport/transport.js';
import { CARD_TEXT_LENGTH, parseCardText, type ParsedCardText } from './card-text.js';
import { encodeSamRequest, parseSamResponse, SamFrameDecoder, type SamResponse } from './sam-frame.js';
import { SamStatus, samStatusError } from './sam-status.js';

export type SamCommandName = 'reset' | 'status' | 'samId' | 'findCard' | 'selectCard' | 'readCard';

interface SamCommand {
  readonly command: number;
  readonly parameter: number;
  /** How messages name the command. */
  readonly label: string;
  readonly timeoutMs: number;
}

const COMMANDS: Readonly<Record<SamCommandName, SamCommand>> = {
  reset: { command: 0x10, parameter: 0xff, label: 'reset', timeoutMs: 3_000 },
  status: { command: 0x11, parameter: 0xff, label: 'status', timeoutMs: 1_000 },
  samId: { command: 0x12, parameter: 0xff, label: 'read SAM id', timeoutMs: 1_000 },
  findCard: { command: 0x20, parameter: 0x01, label: 'find card', timeoutMs: 1_000 },
  selectCard: { command: 0x20, parameter: 0x02, label: 'select card', timeoutMs: 1_000 },
  readCard: { command: 0x30, parameter: 0x01, label: 'read card', timeoutMs: 5_000 },
};

export interface SamReaderOptions {
  readonly timeoutsMs?: Partial<Record<SamCommandName, number>>;
}

export interface SamId {
  /** The usual printed form, e.g. 05.01-20240115-0123456789-0000004242; the hex when the reply is not 16 bytes. */
  readonly text: string;
  readonly hex: string;
}

export interface CnidCard extends ParsedCardText {
  /** The photo as stored on the card (WLT); decoding it needs a licensed vendor library. */
  readonly photo: Uint8Array;
  readonly portraitAvailable: false;
}

interface PendingCommand {
  readonly label: string;
  resolve(response: SamResponse): void;
  reject(error: DeviceError): void;
}

export class SamReader {
  readonly #decoder = new SamFrameDecoder(parseSamResponse);
  #queue: Promise<unknown> = Promise.resolve();
  #pending: PendingCommand | undefined;
  #disposed = false;
  readonly #onData = (chunk: Uint8Array): void => this.#receive(chunk);
  readonly #onClose = (): void => this.#pending?.reject(this.#linkLost());

  constructor(private readonly transport: Transport, private readonly options: SamReaderOptions = {}) {
    transport.on('data', this.#onData);
    transport.on('close', this.#onClose);
  }

  async reset(): Promise<void> {
    await this.#exchange('reset', [SamStatus.OK]);
  }

  async status(): Promise<void> {
    await this.#exchange('status', [SamStatus.OK]);
  }

  async samId(): Promise<SamId> {
    const { data } = await this.#exchange('samId', [SamStatus.OK]);
    return decodeSamId(data);
  }

  /** True when a card is in the field; false when the reader finds none (status 80). */
  async findCard(): Promise<boolean> {
    const { sw3 } = await this.#exchange('findCard', [SamStatus.CARD_FOUND, SamStatus.FIND_FAILED]);
    return sw3 === SamStatus.CARD_FOUND;
  }

  async selectCard(): Promise<void> {
    await this.#exchange('selectCard', [SamStatus.OK]);
  }

  /** Text and photo (30 01) of the selected card. */
  async readCard(): Promise<CnidCard> {
    const { data } = await this.#exchange('readCard', [SamStatus.OK]);
    return this.#parseCardReply(data);
  }

  /** Stops listening to the transport; a command in flight fails. */
  dispose(): void {
    this.#disposed = true;
    this.transport.off('data', this.#onData);
    this.transport.off('close', this.#onClose);
    this.#pending?.reject(this.#linkLost());
  }

  #exchange(name: SamCommandName, accepted: readonly number[]): Promise<SamResponse> {
    const run = this.#queue.then(() => this.#send(name)).then((response) => {
      if (!accepted.includes(response.sw3)) {
        throw samStatusError(response.sw3, COMMANDS[name].label, this.transport.description);
      }
      return response;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #send(name: SamCommandName): Promise<SamResponse> {
    const { command, parameter, label } = COMMANDS[name];
    const timeoutMs = this.options.timeoutsMs?.[name] ?? COMMANDS[name].timeoutMs;
    const link = this.transport.description;
    if (this.#disposed) return Promise.reject(this.#linkLost());
    return new Promise<SamResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#decoder.reset();
        pending.reject(new DeviceError('CNID_TIMEOUT',
          `CN ID reader on ${link} did not answer "${label}" within ${timeoutMs} ms. Check that the reader is `
          + 'powered and connected and that the baud rate matches (115200 by default).',
          { link, command: label, timeoutMs }));
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.#pending = undefined;
      };
      const pending: PendingCommand = {
        label,
        resolve: (response) => { settle(); resolve(response); },
        reject: (error) => { settle(); reject(error); },
      };
      this.#pending = pending;
      this.transport.write(encodeSamRequest({ command, parameter, data: new Uint8Array(0) }))
        .catch((error: DeviceError) => pending.reject(error));
    });
  }

  /** Replies with no command waiting (late, or noise) are dropped. */
  #receive(chunk: Uint8Array): void {
    for (const item of this.#decoder.push(chunk)) {
      const pending = this.#pending;
      if (!pending) continue;
      if ('frame' in item) {
        pending.resolve(item.frame);
        continue;
      }
      const link = this.transport.description;
      pending.reject(new DeviceError('CNID_CORRUPT_REPLY',
        `CN ID reader on ${link}: the reply to "${pending.label}" arrived damaged. ${item.error.message} `
        + 'Check the cable and the baud rate; the next attempt usually succeeds.',
        { link, command: pending.label, cause: item.error.code }));
    }
  }

  #linkLost(): DeviceError {
    const link = this.transport.description;
    return new DeviceError('CNID_LINK_LOST',
      `The connection to the CN ID reader on ${link} is closed. Check the cable; it reconnects by itself.`, { link });
  }

  /** Reply to 30 01: text length[2] BE, photo length[2] BE, text, photo. */
  #parseCardReply(data: Uint8Array): CnidCard {
    const textLength = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
    const photoLength = ((data[2] ?? 0) << 8) | (data[3] ?? 0);
    if (data.length < 4 || textLength !== CARD_TEXT_LENGTH || 4 + textLength + photoLength > data.length) {
      const link = this.transport.description;
      throw new DeviceError('CNID_BAD_REPLY',
        `CN ID reader on ${link} sent a card reply of ${data.length} bytes announcing ${textLength} text and `
        + `${photoLength} photo bytes. Try the card again; if it repeats, the reader firmware is not compatible.`,
        { link, length: data.length, textLength, photoLength });
    }
    const text = data.subarray(4, 4 + textLength);
    const photo = data.slice(4 + textLength, 4 + textLength + photoLength);
    return { ...parseCardText(text), photo, portraitAvailable: false };
  }
}

/** The 16-byte SAM id in its printed form: AA.BB-CCCCCCCC-DDDDDDDDDD-EEEEEEEEEE. */
export function decodeSamId(data: Uint8Array): SamId {
  const hex = Buffer.from(data).toString('hex');
  if (data.length !== 16) return { text: hex, hex };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  const text = `${pad(view.getUint8(0), 2)}.${pad(view.getUint8(2), 2)}-${view.getUint32(4, true)}`
    + `-${pad(view.getUint32(8, true), 10)}-${pad(view.getUint32(12, true), 10)}`;
  return { text, hex };
}
