// The reader's work once access control has given it a channel: SELECT the eMRTD application
// and read its elementary files (EF.COM, the data groups, EF.SOD) with READ BINARY, reporting
// progress so the kiosk can show a bar while the portrait (DG2, 10–25 KB) comes in. Which
// access control opened the channel (BAC, PACE, or none) is not this file's business.
//
// Reading a file (as in the 9303-11 Appendix D.4 example): READ BINARY of the first 4 bytes gives the
// tag and length of the file's single top-level TLV, the rest follows in chunks. The default
// chunk is the most a short response carries on the channel (256 plain, 231 under 3DES SM,
// 223 under AES SM, so the protected response fits 256 bytes); larger chunks need extended-length
// APDUs, which are allowed only when the caller says the chip and reader take them (EF.ATR/INFO,
// the reader's capabilities). Offsets above 32767 use READ BINARY with odd INS (B1, offset in
// DO'54', data in DO'53').

import { DeviceError } from '../device-error.js';
import { SW_SUCCESS, swHex, type CommandApdu, type ResponseApdu } from '../transport/command-apdu.js';
import { encodeTlv, readTlv } from './ber-tlv.js';
import type { ChipChannel } from './chip-channel.js';
import { EMRTD_AID } from './lds/lds-files.js';

/** A file named by its file identifier (selected first) or by its short file identifier (selected by the first READ BINARY). */
export type EmrtdFileRef = { readonly fileId: number } | { readonly shortFileId: number };

export interface FileReadProgress {
  readonly bytesRead: number;
  readonly total: number;
}

export interface ReadFileOptions {
  /** Called after every READ BINARY once the file's length is known (the first call already has `total`). */
  readonly onProgress?: (progress: FileReadProgress) => void;
}

export interface EmrtdSessionOptions {
  /**
   * Bytes of file data asked for per READ BINARY. Default: the channel's short limit, or 4096
   * with `extendedLength`. Above the short limit only with `extendedLength`.
   */
  readonly chunkSize?: number;
  /** The chip and reader take extended-length APDUs (EF.ATR/INFO, reader capabilities). */
  readonly extendedLength?: boolean;
  /** A file announcing more is refused (a broken or hostile chip could claim gigabytes). Default 1 MiB. */
  readonly maxFileLength?: number;
}

const HEADER_PROBE = 4;
const DEFAULT_EXTENDED_CHUNK = 4096;
const DEFAULT_MAX_FILE_LENGTH = 1 << 20;
const MAX_EVEN_OFFSET = 0x7fff;
export const INS_SELECT = 0xa4;
export const INS_READ_BINARY = 0xb0;
/** READ BINARY with odd INS: the offset in DO'54', the data back in DO'53'. */
export const INS_READ_BINARY_ODD = 0xb1;
export const TAG_OFFSET = 0x54;
export const TAG_DISCRETIONARY_DATA = 0x53;
const SW_END_OF_FILE = 0x6282;
const SW_WRONG_LENGTH = 0x6700;

function describe(file: EmrtdFileRef): string {
  return 'fileId' in file ? `file ${hex4(file.fileId)}` : `file with short id ${file.shortFileId.toString(16).toUpperCase().padStart(2, '0')}`;
}

const hex4 = (id: number) => id.toString(16).toUpperCase().padStart(4, '0');

/** The typed error for a status word the chip answered a file command with. */
function statusError(sw: number, file: EmrtdFileRef | undefined, action: string): DeviceError {
  const what = file ? describe(file) : 'the eMRTD application';
  const details = { sw: swHex(sw), action, ...(file ? { file: 'fileId' in file ? hex4(file.fileId) : file.shortFileId } : {}) };
  if (sw === 0x6a82) {
    return new DeviceError('CHIP_FILE_NOT_FOUND', `The chip has no ${what}; this document does not carry it.`, details);
  }
  if (sw === 0x6982) {
    return new DeviceError('CHIP_SECURITY_STATUS_NOT_SATISFIED',
      `The chip refuses to ${action} ${what} without stronger access control (fingerprints and iris need Extended Access Control).`,
      details);
  }
  return new DeviceError('CHIP_COMMAND_FAILED', `The chip answered ${swHex(sw)} when asked to ${action} ${what}.`, details);
}

/** Header of a file's top-level TLV: its length and the value's, or how many leading bytes are needed to know them. */
function tlvHeader(bytes: Uint8Array): { headerLength: number; valueLength: number } | { need: number } {
  let at = 1;
  if (bytes.length < 1) return { need: 1 };
  if ((bytes[0]! & 0x1f) === 0x1f) {
    do {
      if (at >= bytes.length) return { need: at + 1 };
      if (at === 3) throw new DeviceError('CHIP_TLV_MALFORMED', 'The chip\'s file starts with a tag longer than three bytes.');
    } while ((bytes[at++]! & 0x80) !== 0);
  }
  if (at >= bytes.length) return { need: at + 1 };
  const first = bytes[at++]!;
  if (first < 0x80) return { headerLength: at, valueLength: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new DeviceError('CHIP_TLV_MALFORMED', 'The chip\'s file has an unusable length field.', { lengthByte: first });
  if (at + count > bytes.length) return { need: at + count };
  let valueLength = 0;
  for (let i = 0; i < count; i++) valueLength = valueLength * 256 + bytes[at++]!;
  return { headerLength: at, valueLength };
}

function offsetBytes(offset: number): Uint8Array {
  const bytes: number[] = [];
  for (let rest = offset; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.from(bytes.length > 0 ? bytes : [0]);
}

export class EmrtdSession {
  readonly #channel: ChipChannel;
  readonly #shortLimit: number;
  readonly #maxFileLength: number;
  #chunkSize: number;

  constructor(channel: ChipChannel, { chunkSize, extendedLength = false, maxFileLength = DEFAULT_MAX_FILE_LENGTH }: EmrtdSessionOptions = {}) {
    this.#channel = channel;
    this.#shortLimit = channel.maxShortResponseLength;
    const size = chunkSize ?? (extendedLength ? DEFAULT_EXTENDED_CHUNK : this.#shortLimit);
    if (!Number.isInteger(size) || size < 1 || size > 65536) throw new RangeError(`READ BINARY chunk of ${size} bytes`);
    if (size > this.#shortLimit && !extendedLength) {
      throw new RangeError(`a chunk of ${size} bytes needs extended-length APDUs (this channel's short limit is ${this.#shortLimit})`);
    }
    this.#chunkSize = size;
    this.#maxFileLength = maxFileLength;
  }

  /** Bytes asked for per READ BINARY (drops to the short limit if the chip refuses an extended read). */
  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** SELECT the eMRTD application by its AID (no FCI asked for). */
  async selectApplication(): Promise<void> {
    const { sw } = await this.#channel.send({ cla: 0x00, ins: INS_SELECT, p1: 0x04, p2: 0x0c, data: EMRTD_AID });
    if (sw === SW_SUCCESS) return;
    if (sw === 0x6a82) {
      throw new DeviceError('CHIP_NOT_EMRTD', 'The card has no eMRTD application: it is not an ePassport or eID chip.', { sw: swHex(sw) });
    }
    throw this.#statusError(sw, undefined, 'select');
  }

  /** SELECT an elementary file of the current application by its file identifier. */
  async selectFile(fileId: number): Promise<void> {
    const { sw } = await this.#channel.send({
      cla: 0x00, ins: INS_SELECT, p1: 0x02, p2: 0x0c, data: Uint8Array.of(fileId >>> 8, fileId & 0xff),
    });
    if (sw !== SW_SUCCESS) throw this.#statusError(sw, { fileId }, 'select');
  }

  /** The whole file: its top-level TLV, header included. */
  async readFile(file: EmrtdFileRef, { onProgress }: ReadFileOptions = {}): Promise<Uint8Array> {
    if ('fileId' in file) await this.selectFile(file.fileId);
    else if (!Number.isInteger(file.shortFileId) || file.shortFileId < 1 || file.shortFileId > 30) {
      throw new RangeError(`short file id ${file.shortFileId}`);
    }
    const cursor = { file, selected: 'fileId' in file };

    let head = await this.#readBinary(cursor, 0, Math.min(HEADER_PROBE, this.#chunkSize));
    let header = tlvHeader(head);
    while ('need' in header) {
      head = Buffer.concat([head, await this.#readBinary(cursor, head.length, header.need - head.length)]);
      header = tlvHeader(head);
    }
    const total = header.headerLength + header.valueLength;
    if (total > this.#maxFileLength) {
      throw new DeviceError('CHIP_FILE_TOO_LARGE',
        `The chip announces ${total} bytes for ${describe(file)}, more than the ${this.#maxFileLength} this reader accepts.`,
        { total, limit: this.#maxFileLength });
    }
    const content = new Uint8Array(total);
    let bytesRead = Math.min(head.length, total);
    content.set(head.subarray(0, bytesRead));
    onProgress?.({ bytesRead, total });
    while (bytesRead < total) {
      const chunk = await this.#readBinary(cursor, bytesRead, Math.min(this.#chunkSize, total - bytesRead));
      const take = chunk.subarray(0, total - bytesRead);
      content.set(take, bytesRead);
      bytesRead += take.length;
      onProgress?.({ bytesRead, total });
    }
    return content;
  }

  /** One READ BINARY; never returns an empty chunk. */
  async #readBinary(cursor: { file: EmrtdFileRef; selected: boolean }, offset: number, length: number): Promise<Uint8Array> {
    let ne = length;
    for (let attempt = 0; ; attempt++) {
      const odd = offset > MAX_EVEN_OFFSET;
      const command: CommandApdu = odd
        ? { cla: 0x00, ins: INS_READ_BINARY_ODD, p1: 0x00, p2: 0x00, data: encodeTlv(TAG_OFFSET, offsetBytes(offset)), ne }
        : cursor.selected
          ? { cla: 0x00, ins: INS_READ_BINARY, p1: offset >>> 8, p2: offset & 0xff, ne }
          : { cla: 0x00, ins: INS_READ_BINARY, p1: 0x80 | (cursor.file as { shortFileId: number }).shortFileId, p2: offset, ne };
      const response: ResponseApdu = await this.#channel.send(command);
      const retry = attempt === 0 && this.#channel.isOpen ? this.#retryLength(response.sw, ne) : undefined;
      if (retry !== undefined) {
        ne = retry;
        continue;
      }
      if (response.sw !== SW_SUCCESS && response.sw !== SW_END_OF_FILE) throw this.#statusError(response.sw, cursor.file, 'read');
      cursor.selected = true;
      const data = odd ? this.#discretionaryData(response.data, cursor.file) : response.data;
      if (data.length === 0) {
        throw new DeviceError('CHIP_READ_STALLED',
          `The chip returned no data at offset ${offset} of ${describe(cursor.file)}; the file is shorter than it announced.`,
          { offset, sw: swHex(response.sw) });
      }
      return data;
    }
  }

  /**
   * Le to retry with, if any: 6Cxx names the exact length; 6700 to an extended read means the
   * chip or reader does not take that size, so the rest of the session uses short reads.
   */
  #retryLength(sw: number, ne: number): number | undefined {
    if ((sw & 0xff00) === 0x6c00) return (sw & 0xff) || 256;
    if (sw === SW_WRONG_LENGTH && ne > this.#shortLimit) {
      this.#chunkSize = this.#shortLimit;
      return this.#shortLimit;
    }
    return undefined;
  }

  /** statusError, noting when the chip's plain answer also ended secure messaging (authenticate again to go on). */
  #statusError(sw: number, file: EmrtdFileRef | undefined, action: string): DeviceError {
    const error = statusError(sw, file, action);
    if (!this.#channel.secure || this.#channel.isOpen) return error;
    return new DeviceError(error.code, `${error.message} The chip also ended secure messaging; authenticate again to go on.`,
      { ...error.details, secureMessagingEnded: true });
  }

  #discretionaryData(data: Uint8Array, file: EmrtdFileRef): Uint8Array {
    const { tlv, next } = readTlv(data);
    if (tlv.tag !== TAG_DISCRETIONARY_DATA || next !== data.length) {
      throw new DeviceError('CHIP_TLV_MALFORMED', `The chip's READ BINARY (B1) answer for ${describe(file)} is not one DO'53'.`,
        { tag: tlv.tag });
    }
    return tlv.value;
  }
}
