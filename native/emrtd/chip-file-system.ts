// The chip's side of file access for a virtual eMRTD: SELECT of the application and of its
// elementary files, READ BINARY by file id, short file id (B0) or large offset (B1 with
// DO'54' → DO'53'), answered with the status words a real chip uses. It sees plain commands:
// secure messaging and access control are wrapped around it by whoever composes the chip.

import type { CommandApdu, ResponseApdu } from './apdu.js';
import { encodeTlv, readTlv } from './ber-tlv.js';
import { EMRTD_APPLICATION_ID } from './emrtd-session.js';

export interface ChipFile {
  readonly fileId: number;
  readonly shortFileId?: number;
  readonly content: Uint8Array;
  /** Access a read needs (default 'access-control': BAC or PACE); missing access answers 6982. */
  readonly requires?: 'none' | 'access-control' | 'extended-access-control';
}

/** What access control has established when a command arrives. */
export interface ChipSecurityStatus {
  readonly accessControl: boolean;
  readonly extendedAccessControl?: boolean;
}

const SW = {
  success: 0x9000,
  wrongLength: 0x6700,
  securityStatus: 0x6982,
  noCurrentEf: 0x6986,
  wrongData: 0x6a80,
  fileNotFound: 0x6a82,
  incorrectP1P2: 0x6a86,
  offsetOutsideFile: 0x6b00,
  insNotSupported: 0x6d00,
} as const;

const status = (sw: number): ResponseApdu => ({ data: new Uint8Array(0), sw });

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export class ChipFileSystem {
  readonly #files: readonly ChipFile[];
  #applicationSelected = false;
  #current: ChipFile | undefined;

  constructor(files: readonly ChipFile[]) {
    this.#files = files;
  }

  /** Answers SELECT and READ BINARY; 6D00 for any other instruction. */
  answer(command: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    switch (command.ins) {
      case 0xa4: return this.#select(command);
      case 0xb0: return this.#readEven(command, security);
      case 0xb1: return this.#readOdd(command, security);
      default: return status(SW.insNotSupported);
    }
  }

  #select({ p1, data }: CommandApdu): ResponseApdu {
    if (p1 === 0x04) {
      if (!data || !sameBytes(data, EMRTD_APPLICATION_ID)) return status(SW.fileNotFound);
      this.#applicationSelected = true;
      this.#current = undefined;
      return status(SW.success);
    }
    if (p1 === 0x02 || p1 === 0x00) {
      if (data?.length !== 2) return status(SW.wrongLength);
      const file = this.#applicationSelected ? this.#files.find((f) => f.fileId === ((data[0]! << 8) | data[1]!)) : undefined;
      if (!file) return status(SW.fileNotFound);
      this.#current = file;
      return status(SW.success);
    }
    return status(SW.incorrectP1P2);
  }

  #readEven({ p1, p2, le }: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    let file = this.#current;
    let offset = (p1 << 8) | p2;
    if (p1 & 0x80) {
      if (p1 & 0x60) return status(SW.incorrectP1P2);
      file = this.#applicationSelected ? this.#files.find((f) => f.shortFileId === (p1 & 0x1f)) : undefined;
      if (!file) return status(SW.fileNotFound);
      offset = p2;
    }
    return this.#read(file, offset, le, security, (bytes) => bytes);
  }

  #readOdd({ p1, p2, data, le }: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    if (p1 !== 0 || p2 !== 0) return status(SW.incorrectP1P2);
    let offset: number;
    try {
      const { tlv, next } = readTlv(data ?? new Uint8Array(0));
      if (tlv.tag !== 0x54 || next !== data!.length || tlv.value.length === 0 || tlv.value.length > 3) return status(SW.wrongData);
      offset = tlv.value.reduce((sum, byte) => sum * 256 + byte, 0);
    } catch {
      return status(SW.wrongData);
    }
    // Le counts the DO'53' header too: leave room for the longest one (53 82 xx xx).
    const room = le === undefined ? undefined : Math.max(1, le - 4);
    return this.#read(this.#current, offset, room, security, (bytes) => encodeTlv(0x53, bytes));
  }

  #read(file: ChipFile | undefined, offset: number, le: number | undefined, security: ChipSecurityStatus,
    wrap: (bytes: Uint8Array) => Uint8Array): ResponseApdu {
    if (!file) return status(SW.noCurrentEf);
    const requires = file.requires ?? 'access-control';
    if (requires !== 'none' && !security.accessControl) return status(SW.securityStatus);
    if (requires === 'extended-access-control' && !security.extendedAccessControl) return status(SW.securityStatus);
    if (offset >= file.content.length) return status(SW.offsetOutsideFile);
    this.#current = file;
    const length = Math.min(le ?? 256, file.content.length - offset);
    return { data: wrap(file.content.subarray(offset, offset + length)), sw: SW.success };
  }
}
