// The file system of the virtual eMRTD chip: the master file (EF.CardAccess, readable by anyone)
// and the eMRTD application (EF.COM, the data groups, EF.SOD); SELECT of the application by AID,
// of the master file and of elementary files, READ BINARY by file id, short file id (B0) or large
// offset (B1 with DO'54' → DO'53'), answered with the status words a real chip uses. It sees
// plain commands: secure messaging and access control are wrapped around it by virtual-chip.ts.

import { sameBytes } from '../../emrtd/chip-crypto.js';
import { encodeTlv, readTlv } from '../../emrtd/ber-tlv.js';
import { INS_READ_BINARY, INS_READ_BINARY_ODD, INS_SELECT, TAG_DISCRETIONARY_DATA, TAG_OFFSET } from '../../emrtd/emrtd-session.js';
import { EMRTD_AID } from '../../emrtd/lds/lds-files.js';
import type { CommandApdu, ResponseApdu } from '../../transport/command-apdu.js';
import { ChipStatus, status } from './chip-answer.js';

export interface ChipFile {
  readonly fileId: number;
  readonly shortFileId?: number;
  readonly content: Uint8Array;
  /** The master file holds EF.CardAccess (and EF.ATR/INFO); everything else is in the eMRTD application (default). */
  readonly location?: 'master-file' | 'application';
  /** Access a read needs (default 'access-control': BAC or PACE); missing access answers 6982. */
  readonly requires?: 'none' | 'access-control' | 'extended-access-control';
}

/** What access control has established when a command arrives. */
export interface ChipSecurityStatus {
  readonly accessControl: boolean;
  readonly extendedAccessControl?: boolean;
}

const MASTER_FILE_ID = 0x3f00;

/** The offset of READ BINARY B1: its data is DO'54' holding one to three bytes; undefined when it is not. */
function oddOffset(data: Uint8Array | undefined): number | undefined {
  const body = data ?? new Uint8Array(0);
  try {
    const { tlv, next } = readTlv(body);
    if (tlv.tag !== TAG_OFFSET || next !== body.length || tlv.value.length === 0 || tlv.value.length > 3) return undefined;
    return tlv.value.reduce((sum, byte) => sum * 256 + byte, 0);
  } catch {
    return undefined;
  }
}

export class ChipFileSystem {
  readonly #files: readonly ChipFile[];
  #applicationSelected = false;
  #current: ChipFile | undefined;

  constructor(files: readonly ChipFile[]) {
    this.#files = files;
  }

  /** Back to the master file with nothing selected, as after a reset. */
  reset(): void {
    this.#applicationSelected = false;
    this.#current = undefined;
  }

  /** The file and offset a READ BINARY would read from (what a pulled card was in the middle of), if any. */
  readTarget({ ins, p1, p2, data }: CommandApdu): { readonly fileId: number; readonly offset: number } | undefined {
    const at = (file: ChipFile | undefined, offset: number | undefined) => (file && offset !== undefined ? { fileId: file.fileId, offset } : undefined);
    if (ins === INS_READ_BINARY_ODD) return at(this.#current, oddOffset(data));
    if (ins !== INS_READ_BINARY) return undefined;
    if (p1 & 0x80) return at(this.#inCurrentDirectory((candidate) => candidate.shortFileId === (p1 & 0x1f)), p2);
    return at(this.#current, (p1 << 8) | p2);
  }

  /** Answers SELECT and READ BINARY; 6D00 for any other instruction. */
  answer(command: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    switch (command.ins) {
      case INS_SELECT: return this.#select(command);
      case INS_READ_BINARY: return this.#readEven(command, security);
      case INS_READ_BINARY_ODD: return this.#readOdd(command, security);
      default: return status(ChipStatus.insNotSupported);
    }
  }

  #inCurrentDirectory(match: (file: ChipFile) => boolean): ChipFile | undefined {
    const here = this.#applicationSelected ? 'application' : 'master-file';
    return this.#files.find((file) => (file.location ?? 'application') === here && match(file));
  }

  #select({ p1, data }: CommandApdu): ResponseApdu {
    const name = data ?? new Uint8Array(0);
    if (p1 === 0x04) {
      if (!sameBytes(name, EMRTD_AID)) return status(ChipStatus.fileNotFound);
      this.reset();
      this.#applicationSelected = true;
      return status(ChipStatus.success);
    }
    if (p1 !== 0x00 && p1 !== 0x02) return status(ChipStatus.incorrectP1P2);
    const fileId = name.length === 2 ? (name[0]! << 8) | name[1]! : undefined;
    if (p1 === 0x00 && (name.length === 0 || fileId === MASTER_FILE_ID)) {
      this.reset();
      return status(ChipStatus.success);
    }
    if (fileId === undefined) return status(ChipStatus.wrongLength);
    const file = this.#inCurrentDirectory((candidate) => candidate.fileId === fileId);
    if (!file) return status(ChipStatus.fileNotFound);
    this.#current = file;
    return status(ChipStatus.success);
  }

  #readEven({ p1, p2, ne }: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    let file = this.#current;
    let offset = (p1 << 8) | p2;
    if (p1 & 0x80) {
      if (p1 & 0x60) return status(ChipStatus.incorrectP1P2);
      file = this.#inCurrentDirectory((candidate) => candidate.shortFileId === (p1 & 0x1f));
      if (!file) return status(ChipStatus.fileNotFound);
      offset = p2;
    }
    return this.#read(file, offset, ne, security, (bytes) => bytes);
  }

  #readOdd({ p1, p2, data, ne }: CommandApdu, security: ChipSecurityStatus): ResponseApdu {
    if (p1 !== 0 || p2 !== 0) return status(ChipStatus.incorrectP1P2);
    const offset = oddOffset(data);
    if (offset === undefined) return status(ChipStatus.incorrectData);
    // Le counts the DO'53' header too: leave room for the longest one (53 82 xx xx).
    const room = ne ? Math.max(1, ne - 4) : undefined;
    return this.#read(this.#current, offset, room, security, (bytes) => encodeTlv(TAG_DISCRETIONARY_DATA, bytes));
  }

  #read(file: ChipFile | undefined, offset: number, ne: number | undefined, security: ChipSecurityStatus,
    wrap: (bytes: Uint8Array) => Uint8Array): ResponseApdu {
    if (!file) return status(ChipStatus.noCurrentFile);
    const requires = file.requires ?? 'access-control';
    if (requires !== 'none' && !security.accessControl) return status(ChipStatus.securityStatusNotSatisfied);
    if (requires === 'extended-access-control' && !security.extendedAccessControl) return status(ChipStatus.securityStatusNotSatisfied);
    if (offset >= file.content.length) return status(ChipStatus.offsetOutsideFile);
    this.#current = file;
    const length = Math.min(ne || 256, file.content.length - offset);
    return { data: wrap(file.content.subarray(offset, offset + length)), sw: ChipStatus.success };
  }
}
