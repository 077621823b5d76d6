// Secure messaging of ICAO Doc 9303-11 §9.8 (ISO/IEC 7816-4 SM with the eMRTD profile): the
// reader protects each command and checks each response, the chip does the reverse, both
// with the same send sequence counter (SSC) incremented once per message. BAC and PACE end by
// constructing one of these from the session keys; after any SM error the session is dead.
// The chip's end (ChipSecureMessaging, for the simulator) stays here: it is the same data
// objects, counter and checks read the other way round.
//
// Conventions (9303-11 §9.8, message structure): CLA gets bits '0C'; command data is padded (ISO/IEC
// 9797-1 method 2) and encrypted into DO'87' behind the padding-content indicator 01, or into
// DO'85' without it when INS is odd (READ BINARY B1); Le goes into DO'97'; DO'8E' holds the
// 8-byte MAC over pad(SSC ‖ pad(header) ‖ DOs). A response is DO'87'/'85', DO'99' (status) and
// DO'8E' over pad(SSC ‖ DOs). 3DES: CBC with a zero IV, retail MAC, 8-byte SSC. AES: CBC with
// IV = E(KSenc, SSC), CMAC truncated to 8 bytes, 16-byte SSC. The protected command always
// carries Le = '00' (or '0000' in extended form) because a protected response is never empty.

import { DeviceError } from '../device-error.js';
import {
  encodeCommandApdu, encodeResponseApdu, parseCommandApdu, parseResponseApdu, swHex, type CommandApdu, type ResponseApdu,
} from '../transport/command-apdu.js';
import { encodeTlv, readTlv, type Tlv } from './ber-tlv.js';
import {
  aesCbc, aesCmac, aesEncryptBlock, blockSize, pad, retailMac, sameBytes, tdesCbc, unpad, type SmCipher,
} from './chip-crypto.js';

/** What an access-control protocol hands over: the session keys, the cipher, and the starting SSC. */
export interface SessionKeys {
  readonly cipher: SmCipher;
  readonly ksEnc: Uint8Array;
  readonly ksMac: Uint8Array;
  /** Block-sized; zero when absent (PACE starts from zero). BAC starts from RND.IC and RND.IFD. */
  readonly ssc?: Uint8Array;
}

const TAG_ENCRYPTED_ODD = 0x85;
const TAG_ENCRYPTED = 0x87;
const TAG_LE = 0x97;
const TAG_STATUS = 0x99;
const TAG_MAC = 0x8e;
const PADDING_INDICATOR = 0x01;
const MAC_LENGTH = 8;
/** CLA bits b4-b3: secure messaging with the command header authenticated (ISO/IEC 7816-4). */
const SM_CLA_BITS = 0x0c;

export const SW_SM_MISSING_DATA_OBJECTS = 0x6987;
export const SW_SM_INCORRECT_DATA_OBJECTS = 0x6988;

const KEY_LENGTHS: Readonly<Record<SmCipher, number>> = { '3des': 16, 'aes-128': 16, 'aes-192': 24, 'aes-256': 32 };

/** The cipher-specific half of secure messaging: encryption of DO'87' and the 8-byte MAC. */
interface SmCipherSuite {
  encrypt(plain: Uint8Array, ssc: Uint8Array): Uint8Array;
  decrypt(cipherText: Uint8Array, ssc: Uint8Array): Uint8Array;
  /** MAC over pad(SSC ‖ input). */
  mac(ssc: Uint8Array, input: Uint8Array): Uint8Array;
}

const ZERO_IV_8 = new Uint8Array(8);

const suites: Readonly<Record<'3des' | 'aes', (ksEnc: Uint8Array, ksMac: Uint8Array) => SmCipherSuite>> = {
  '3des': (ksEnc, ksMac) => ({
    encrypt: (plain) => tdesCbc(ksEnc, pad(plain, 8), true, ZERO_IV_8),
    decrypt: (cipherText) => unpad(tdesCbc(ksEnc, cipherText, false, ZERO_IV_8), 8),
    mac: (ssc, input) => retailMac(ksMac, pad(Buffer.concat([ssc, input]), 8)),
  }),
  aes: (ksEnc, ksMac) => ({
    encrypt: (plain, ssc) => aesCbc(ksEnc, pad(plain, 16), true, aesEncryptBlock(ksEnc, ssc)),
    decrypt: (cipherText, ssc) => unpad(aesCbc(ksEnc, cipherText, false, aesEncryptBlock(ksEnc, ssc)), 16),
    mac: (ssc, input) => aesCmac(ksMac, pad(Buffer.concat([ssc, input]), 16)).subarray(0, MAC_LENGTH),
  }),
};

function smError(code: string, message: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError(code, message, details);
}

/** `reply` is the plain status the chip side answers with when it is the one that found the fault. */
function malformed(reason: string, reply = SW_SM_INCORRECT_DATA_OBJECTS): DeviceError {
  return smError('CHIP_SM_MALFORMED', `Secure messaging data is malformed (${reason}); the session is closed.`, { reason, reply });
}

/** Length of the value of a DO'87' carrying `plainLength` bytes (indicator + padded ciphertext). */
function encryptedValueLength(plainLength: number, cipher: SmCipher): number {
  const block = blockSize(cipher);
  return 1 + (Math.floor(plainLength / block) + 1) * block;
}

function tlvLength(valueLength: number): number {
  return 1 + (valueLength < 0x80 ? 1 : valueLength < 0x100 ? 2 : 3) + valueLength;
}

/** Bytes of response data a protected response to `plainLength` plain bytes takes: DO'87', DO'99', DO'8E'. */
export function protectedResponseLength(plainLength: number, cipher: SmCipher): number {
  const encrypted = plainLength > 0 ? tlvLength(encryptedValueLength(plainLength, cipher)) : 0;
  return encrypted + tlvLength(2) + tlvLength(MAC_LENGTH);
}

/** The most plain bytes one short response (at most 256 data bytes) can carry under SM: 231 for 3DES, 223 for AES. */
export function maxShortProtectedLength(cipher: SmCipher): number {
  let length = 256;
  while (length > 0 && protectedResponseLength(length, cipher) > 256) length--;
  return length;
}

function incremented(ssc: Uint8Array): Uint8Array {
  const next = Uint8Array.from(ssc);
  for (let i = next.length - 1; i >= 0; i--) {
    next[i] = (next[i]! + 1) & 0xff;
    if (next[i] !== 0) break;
  }
  return next;
}

/** Reads DOs in the order 9303 prescribes; `allowed` lists the tags that may come before DO'8E'. */
function readDataObjects(bytes: Uint8Array, allowed: readonly number[]): { objects: Map<number, Tlv>; macOffset: number; mac: Uint8Array } {
  const objects = new Map<number, Tlv>();
  let offset = 0;
  let rank = -1;
  while (offset < bytes.length) {
    let read: { tlv: Tlv; next: number };
    try {
      read = readTlv(bytes, offset);
    } catch (error) {
      throw malformed(`unreadable data object at byte ${offset}: ${(error as Error).message}`);
    }
    const { tlv, next } = read;
    if (tlv.tag === TAG_MAC) {
      if (next !== bytes.length) throw malformed('data after DO\'8E\'');
      if (tlv.value.length !== MAC_LENGTH) throw malformed(`DO'8E' of ${tlv.value.length} bytes`);
      return { objects, macOffset: offset, mac: tlv.value };
    }
    // DO'85' and DO'87' share a rank: one or the other, never both.
    const tagRank = allowed.indexOf(tlv.tag === TAG_ENCRYPTED_ODD ? TAG_ENCRYPTED : tlv.tag);
    if (tagRank < 0) throw malformed(`unexpected data object ${tlv.tag.toString(16).toUpperCase()}`);
    if (tagRank <= rank) throw malformed(`data object ${tlv.tag.toString(16).toUpperCase()} out of order or repeated`);
    rank = tagRank;
    objects.set(tlv.tag, tlv);
    offset = next;
  }
  throw malformed('no DO\'8E\' (cryptographic checksum)', SW_SM_MISSING_DATA_OBJECTS);
}

/**
 * Keys, SSC and liveness shared by both ends. Each message increments the SSC before it is
 * used; any failure closes the session for good, because the two counters can no longer be
 * trusted to agree (and a forged message must not get a second try).
 */
abstract class SecureMessagingEndpoint {
  readonly cipher: SmCipher;
  /** Holds the session keys; dropped when the session closes. */
  #suite: SmCipherSuite | undefined;
  #ssc: Uint8Array;
  #closedBy: DeviceError | undefined;

  constructor({ cipher, ksEnc, ksMac, ssc }: SessionKeys) {
    const keyLength = KEY_LENGTHS[cipher];
    if (keyLength === undefined) throw new RangeError(`secure messaging cipher ${String(cipher)}`);
    if (ksEnc.length !== keyLength || ksMac.length !== keyLength) {
      throw new RangeError(`${cipher} session keys must be ${keyLength} bytes (got ${ksEnc.length} and ${ksMac.length})`);
    }
    const block = blockSize(cipher);
    if (ssc !== undefined && ssc.length !== block) throw new RangeError(`${cipher} SSC must be ${block} bytes, got ${ssc.length}`);
    this.cipher = cipher;
    this.#suite = suites[cipher === '3des' ? '3des' : 'aes'](Uint8Array.from(ksEnc), Uint8Array.from(ksMac));
    this.#ssc = ssc ? Uint8Array.from(ssc) : new Uint8Array(block);
  }

  /** The send sequence counter as it stands (a copy). */
  get ssc(): Uint8Array {
    return Uint8Array.from(this.#ssc);
  }

  get isOpen(): boolean {
    return this.#closedBy === undefined;
  }

  /** Ends the session (a transport failure mid-exchange, a new access control); later use throws CHIP_SM_CLOSED. */
  close(reason: DeviceError = smError('CHIP_SM_CLOSED', 'The secure messaging session was closed.')): void {
    this.#closedBy ??= reason;
    this.#suite = undefined;
  }

  protected get suite(): SmCipherSuite {
    if (!this.#suite) throw smError('CHIP_SM_CLOSED', 'The secure messaging session was closed.');
    return this.#suite;
  }

  /** Runs one message step: refuses a closed session, closes it on any failure. */
  protected step<T>(run: () => T): T {
    if (this.#closedBy) {
      throw smError('CHIP_SM_CLOSED',
        'The secure messaging session with the chip has ended; authenticate again (BAC or PACE) before sending more.',
        { cause: this.#closedBy.code });
    }
    try {
      return run();
    } catch (error) {
      this.close(error instanceof DeviceError ? error : smError('CHIP_SM_FAILED', String(error)));
      throw error;
    }
  }

  protected nextSsc(): Uint8Array {
    this.#ssc = incremented(this.#ssc);
    return this.#ssc;
  }

  protected macMatches(ssc: Uint8Array, input: Uint8Array, mac: Uint8Array): boolean {
    return sameBytes(this.suite.mac(ssc, input), mac);
  }
}

/** Options for protecting one command. */
export interface ProtectOptions {
  /** Force the extended-length form (it is chosen anyway when Lc, Le or the protected response need it). */
  readonly extended?: boolean;
}

/** The reader's (inspection system's) end: protects commands, verifies and opens responses. */
export class SecureMessaging extends SecureMessagingEndpoint {
  /** The most plain bytes a response to a short protected command can carry (231 for 3DES, 223 for AES). */
  get maxShortResponseLength(): number {
    return maxShortProtectedLength(this.cipher);
  }

  /** The protected form of `command`, ready for the transport. */
  protectCommand(command: CommandApdu, { extended = false }: ProtectOptions = {}): Uint8Array {
    return this.step(() => {
      if ((command.cla & SM_CLA_BITS) !== 0) throw new RangeError(`CLA ${command.cla.toString(16)} already signals secure messaging`);
      const ssc = this.nextSsc();
      const cla = command.cla | SM_CLA_BITS;
      const data = command.data ?? new Uint8Array(0);
      const objects: Uint8Array[] = [];
      if (data.length > 0) {
        const cipherText = this.suite.encrypt(data, ssc);
        objects.push(command.ins % 2 === 1
          ? encodeTlv(TAG_ENCRYPTED_ODD, cipherText)
          : encodeTlv(TAG_ENCRYPTED, Buffer.concat([Uint8Array.of(PADDING_INDICATOR), cipherText])));
      }
      const ne = command.ne ?? 0;
      if (ne > 0) objects.push(encodeTlv(TAG_LE, encodeLe(ne)));
      const header = Uint8Array.of(cla, command.ins, command.p1, command.p2);
      const mac = this.suite.mac(ssc, Buffer.concat([pad(header, blockSize(this.cipher)), ...objects]));
      const body = Buffer.concat([...objects, encodeTlv(TAG_MAC, mac)]);
      const long = extended || body.length > 255
        || ne > 256 || protectedResponseLength(ne, this.cipher) > 256;
      return encodeCommandApdu({ cla, ins: command.ins, p1: command.p1, p2: command.p2, data: body, ne: long ? 65536 : 256 },
        { extended: long });
    });
  }

  /**
   * The plain response inside a protected one: DO'8E' is checked first (constant time), then
   * DO'87' is decrypted and the status taken from DO'99'. A bare 6987/6988 means the chip
   * rejected our protection (CHIP_SM_REJECTED); any other bare status means the chip dropped
   * secure messaging: it is returned (so a missing file still reads as 6A82) but the session ends.
   */
  unprotectResponse(bytes: Uint8Array): ResponseApdu {
    return this.step(() => {
      const { data, sw } = parseResponseApdu(bytes);
      const ssc = this.nextSsc();
      if (data.length === 0) return this.#bareStatus(sw);
      const { objects, macOffset, mac } = readDataObjects(data, [TAG_ENCRYPTED, TAG_STATUS]);
      if (!this.macMatches(ssc, data.subarray(0, macOffset), mac)) {
        throw smError('CHIP_SM_MAC',
          'The chip\'s answer failed its secure messaging checksum: the data may have been altered in transit. '
          + 'The session is closed; hold the document still on the reader and read it again.', { sw: swHex(sw) });
      }
      const status = objects.get(TAG_STATUS);
      if (!status) throw malformed('no DO\'99\' (processing status)', SW_SM_MISSING_DATA_OBJECTS);
      if (status.value.length !== 2) throw malformed(`DO'99' of ${status.value.length} bytes`);
      const protectedSw = (status.value[0]! << 8) | status.value[1]!;
      if (protectedSw !== sw) throw malformed(`status ${swHex(sw)} outside DO'99' ${swHex(protectedSw)}`);
      const encrypted = objects.get(TAG_ENCRYPTED) ?? objects.get(TAG_ENCRYPTED_ODD);
      if (!encrypted) return { data: new Uint8Array(0), sw: protectedSw };
      let cipherText = encrypted.value;
      if (encrypted.tag === TAG_ENCRYPTED) {
        if (cipherText[0] !== PADDING_INDICATOR) throw malformed(`padding-content indicator ${cipherText[0]} in DO'87'`);
        cipherText = cipherText.subarray(1);
      }
      if (cipherText.length === 0 || cipherText.length % blockSize(this.cipher) !== 0) {
        throw malformed(`encrypted data of ${cipherText.length} bytes`);
      }
      return { data: this.suite.decrypt(cipherText, ssc), sw: protectedSw };
    });
  }

  #bareStatus(sw: number): ResponseApdu {
    if (sw === SW_SM_MISSING_DATA_OBJECTS || sw === SW_SM_INCORRECT_DATA_OBJECTS) {
      throw smError('CHIP_SM_REJECTED',
        `The chip rejected our secure messaging (${swHex(sw)}: ${sw === SW_SM_MISSING_DATA_OBJECTS
          ? 'expected data objects missing' : 'data objects incorrect'}) and ended the session; authenticate again.`,
        { sw: swHex(sw) });
    }
    if (sw === 0x9000) throw malformed('an unprotected success status', SW_SM_MISSING_DATA_OBJECTS);
    this.close(smError('CHIP_SM_ENDED_BY_CHIP', `The chip answered ${swHex(sw)} without secure messaging and ended the session.`,
      { sw: swHex(sw) }));
    return { data: new Uint8Array(0), sw };
  }
}

function encodeLe(ne: number): Uint8Array {
  if (ne <= 256) return Uint8Array.of(ne & 0xff);
  return Uint8Array.of((ne >>> 8) & 0xff, ne & 0xff);
}

function decodeLe(value: Uint8Array): number {
  if (value.length === 1) return value[0] === 0 ? 256 : value[0]!;
  if (value.length === 2) return ((value[0]! << 8) | value[1]!) || 65536;
  if (value.length === 0) return 256;
  throw malformed(`DO'97' of ${value.length} bytes`);
}

/**
 * The chip's end: opens protected commands and protects responses. A failure throws a
 * DeviceError whose `details.reply` is the plain status the chip answers with (6987 when data
 * objects are missing or the command is unprotected, 6988 when they are wrong); the session is
 * then over, as 9303-11 §9.8 requires of an SM error.
 */
export class ChipSecureMessaging extends SecureMessagingEndpoint {
  /** Odd INS of the command being answered: its response data go into DO'85'. */
  #oddIns = false;

  unprotectCommand(bytes: Uint8Array): CommandApdu & { readonly extended: boolean } {
    return this.step(() => {
      let command: ReturnType<typeof parseCommandApdu>;
      try {
        command = parseCommandApdu(bytes);
      } catch (error) {
        throw malformed((error as Error).message);
      }
      const ssc = this.nextSsc();
      if ((command.cla & SM_CLA_BITS) !== SM_CLA_BITS) {
        throw smError('CHIP_SM_UNPROTECTED_COMMAND', 'An unprotected command arrived during secure messaging.',
          { reply: SW_SM_MISSING_DATA_OBJECTS, ins: command.ins });
      }
      const body = command.data;
      const { objects, macOffset, mac } = readDataObjects(body, [TAG_ENCRYPTED, TAG_LE]);
      const header = Uint8Array.of(command.cla, command.ins, command.p1, command.p2);
      const macInput = Buffer.concat([pad(header, blockSize(this.cipher)), body.subarray(0, macOffset)]);
      if (!this.macMatches(ssc, macInput, mac)) {
        throw smError('CHIP_SM_MAC', 'The command failed its secure messaging checksum.', { reply: SW_SM_INCORRECT_DATA_OBJECTS });
      }
      const odd = command.ins % 2 === 1;
      const encrypted = objects.get(TAG_ENCRYPTED) ?? objects.get(TAG_ENCRYPTED_ODD);
      if (encrypted && (encrypted.tag === TAG_ENCRYPTED_ODD) !== odd) {
        throw malformed(`DO'${encrypted.tag.toString(16).toUpperCase()}' with INS ${command.ins.toString(16).toUpperCase()}`);
      }
      let data: Uint8Array | undefined;
      if (encrypted) {
        let cipherText = encrypted.value;
        if (!odd) {
          if (cipherText[0] !== PADDING_INDICATOR) throw malformed(`padding-content indicator ${cipherText[0]} in DO'87'`);
          cipherText = cipherText.subarray(1);
        }
        if (cipherText.length === 0 || cipherText.length % blockSize(this.cipher) !== 0) {
          throw malformed(`encrypted data of ${cipherText.length} bytes`);
        }
        data = this.suite.decrypt(cipherText, ssc);
      }
      const leObject = objects.get(TAG_LE);
      this.#oddIns = odd;
      return {
        cla: command.cla & ~SM_CLA_BITS,
        ins: command.ins,
        p1: command.p1,
        p2: command.p2,
        ...(data && data.length > 0 ? { data } : {}),
        ...(leObject ? { ne: decodeLe(leObject.value) } : {}),
        extended: command.extended,
      };
    });
  }

  /** The protected form of the chip's answer to the command last unprotected. */
  protectResponse({ data, sw }: ResponseApdu): Uint8Array {
    return this.step(() => {
      const ssc = this.nextSsc();
      const objects: Uint8Array[] = [];
      if (data.length > 0) {
        const cipherText = this.suite.encrypt(data, ssc);
        objects.push(this.#oddIns
          ? encodeTlv(TAG_ENCRYPTED_ODD, cipherText)
          : encodeTlv(TAG_ENCRYPTED, Buffer.concat([Uint8Array.of(PADDING_INDICATOR), cipherText])));
      }
      objects.push(encodeTlv(TAG_STATUS, Uint8Array.of(sw >>> 8, sw & 0xff)));
      const mac = this.suite.mac(ssc, Buffer.concat(objects));
      return encodeResponseApdu({ data: Buffer.concat([...objects, encodeTlv(TAG_MAC, mac)]), sw });
    });
  }
}

/** The plain status a chip answers a failed unprotection with (6988 unless the error says otherwise). */
export function chipStatusForSmError(error: unknown): number {
  const reply = error instanceof DeviceError ? error.details['reply'] : undefined;
  return typeof reply === 'number' ? reply : SW_SM_INCORRECT_DATA_OBJECTS;
}
