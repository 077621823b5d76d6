// Basic Access Control (ICAO Doc 9303-11 §4.3 and §9.7): the reader proves it has read the
// MRZ (document number, birth date, expiry date with their check digits) and both sides agree
// 3DES session keys for secure messaging. Both ends are here: `bac()` for the kiosk, `BacChip`
// for the virtual chip. The reader's randoms come from an injectable source so the 9303
// worked example (Appendix D) replays byte for byte.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DeviceError } from '../device-error.js';
import { checkDigit } from '../idreader/mrz/check-digit.js';
import type { MrzFieldValues } from '../idreader/mrz/mrz-result.js';
import { swHex, type CommandApdu, type ResponseApdu } from './apdu.js';
import { PlainChannel, type ApduTransport } from './chip-channel.js';
import { deriveKey, pad, retailMac, tdesCbc } from './chip-crypto.js';
import { ChipSecureMessaging, SecureMessaging, type SessionKeys } from './secure-messaging.js';

/** The three MRZ fields BAC (and PACE with an MRZ password) keys are made from, as the MRZ parser reports them. */
export type MrzAccessFields = Pick<MrzFieldValues, 'documentNumber' | 'birthDate' | 'expiryDate'>;

/** Bytes from a cryptographic random source; tests inject fixed values. */
export type RandomSource = (length: number) => Uint8Array;

export interface BacKeys {
  readonly kSeed: Uint8Array;
  readonly kEnc: Uint8Array;
  readonly kMac: Uint8Array;
}

const SW_SUCCESS = 0x9000;
const SW_AUTHENTICATION_FAILED = 0x6300;
const SW_WRONG_LENGTH = 0x6700;
const SW_CONDITIONS_NOT_SATISFIED = 0x6985;
const SW_INCORRECT_P1P2 = 0x6a86;
const INS_GET_CHALLENGE = 0x84;
const INS_EXTERNAL_AUTHENTICATE = 0x82;
const CRYPTOGRAM_LENGTH = 40;

function badMrz(field: string): DeviceError {
  return new DeviceError('CHIP_BAC_BAD_MRZ',
    `The ${field} cannot open the chip: the document number takes A–Z, 0–9 and <, the dates six digits (YYMMDD) as printed in the MRZ.`,
    { field });
}

/**
 * MRZ_information (9303-11 §9.7): document number (padded with '<' to nine characters, the
 * whole number when longer, as on TD1 cards) + check digit, birth date + check, expiry + check.
 */
export function mrzInformation({ documentNumber, birthDate, expiryDate }: MrzAccessFields): string {
  const number = documentNumber.trim().toUpperCase().replace(/<+$/, '').padEnd(9, '<');
  if (!/^[0-9A-Z<]+$/.test(number) || number === '<<<<<<<<<') throw badMrz('document number');
  if (!/^[0-9<]{6}$/.test(birthDate)) throw badMrz('date of birth');
  if (!/^[0-9<]{6}$/.test(expiryDate)) throw badMrz('date of expiry');
  return `${number}${checkDigit(number)}${birthDate}${checkDigit(birthDate)}${expiryDate}${checkDigit(expiryDate)}`;
}

/** The document basic access keys: Kseed = SHA-1(MRZ_information)[0..16], Kenc = KDF(Kseed, 1), Kmac = KDF(Kseed, 2). */
export function bacKeys(fields: MrzAccessFields): BacKeys {
  const kSeed = Uint8Array.from(createHash('sha1').update(mrzInformation(fields), 'ascii').digest().subarray(0, 16));
  return { kSeed, kEnc: deriveKey(kSeed, 1, '3des'), kMac: deriveKey(kSeed, 2, '3des') };
}

const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((byte, i) => byte ^ b[i]!);

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

/** E = 3DES(K, S) and M = MAC(K, pad(E)): the 40-byte cryptogram either side sends. */
function cryptogram(keys: BacKeys, plain: Uint8Array): Uint8Array {
  const encrypted = tdesCbc(keys.kEnc, plain, true);
  return Uint8Array.from(Buffer.concat([encrypted, retailMac(keys.kMac, pad(encrypted, 8))]));
}

/** The plain S inside a cryptogram, or undefined when its MAC does not hold. */
function openCryptogram(keys: BacKeys, bytes: Uint8Array): Uint8Array | undefined {
  const encrypted = bytes.subarray(0, 32);
  if (!sameBytes(retailMac(keys.kMac, pad(encrypted, 8)), bytes.subarray(32, 40))) return undefined;
  return tdesCbc(keys.kEnc, encrypted, false);
}

/** The secure messaging keys BAC ends with: KDF(K.IFD ⊕ K.IC, 1 and 2), SSC = RND.IC[4..8] ‖ RND.IFD[4..8] (9303-11 §9.7). */
export function bacSessionKeys(kIfd: Uint8Array, kIc: Uint8Array, rndIc: Uint8Array, rndIfd: Uint8Array): SessionKeys {
  const seed = xor(kIfd, kIc);
  return {
    cipher: '3des',
    ksEnc: deriveKey(seed, 1, '3des'),
    ksMac: deriveKey(seed, 2, '3des'),
    ssc: Uint8Array.from([...rndIc.subarray(4, 8), ...rndIfd.subarray(4, 8)]),
  };
}

export interface BacOptions {
  /** RND.IFD (8 bytes) is drawn first, then K.IFD (16 bytes). */
  readonly random?: RandomSource;
}

const defaultRandom: RandomSource = (length) => Uint8Array.from(randomBytes(length));

/**
 * Runs BAC over a plain channel (the eMRTD application already selected): GET CHALLENGE,
 * EXTERNAL AUTHENTICATE, verification of the chip's answer (MAC first, then RND.IFD echoed),
 * and returns the reader's secure messaging session.
 */
export async function bac(transport: ApduTransport, fields: MrzAccessFields, { random = defaultRandom }: BacOptions = {}): Promise<SecureMessaging> {
  const keys = bacKeys(fields);
  const channel = new PlainChannel(transport);

  const challenge = await channel.send({ cla: 0x00, ins: INS_GET_CHALLENGE, p1: 0x00, p2: 0x00, le: 8 });
  if (challenge.sw !== SW_SUCCESS || challenge.data.length !== 8) {
    throw new DeviceError('CHIP_BAC_NOT_SUPPORTED',
      `The chip gave no BAC challenge (${swHex(challenge.sw)}, ${challenge.data.length} bytes); it may only accept PACE.`,
      { sw: swHex(challenge.sw), length: challenge.data.length });
  }
  const rndIc = Uint8Array.from(challenge.data);
  const rndIfd = random(8);
  const kIfd = random(16);
  if (rndIfd.length !== 8 || kIfd.length !== 16) throw new RangeError('the random source returned the wrong number of bytes');

  const answer = await channel.send({
    cla: 0x00, ins: INS_EXTERNAL_AUTHENTICATE, p1: 0x00, p2: 0x00,
    data: cryptogram(keys, Buffer.concat([rndIfd, rndIc, kIfd])), le: CRYPTOGRAM_LENGTH,
  });
  if (answer.sw === SW_AUTHENTICATION_FAILED) {
    throw new DeviceError('CHIP_BAC_DENIED',
      'The chip refused the MRZ key: check the document number, date of birth and date of expiry against the data page and try again.',
      { sw: swHex(answer.sw) });
  }
  if (answer.sw !== SW_SUCCESS || answer.data.length !== CRYPTOGRAM_LENGTH) {
    throw new DeviceError('CHIP_BAC_FAILED',
      `The chip did not complete BAC (${swHex(answer.sw)}, ${answer.data.length} bytes); lift the document and place it again.`,
      { sw: swHex(answer.sw), length: answer.data.length });
  }
  const r = openCryptogram(keys, answer.data);
  if (!r) {
    throw new DeviceError('CHIP_BAC_MAC',
      'The chip\'s BAC answer failed its checksum: it was altered in transit or does not come from this document.');
  }
  if (!sameBytes(r.subarray(0, 8), rndIc) || !sameBytes(r.subarray(8, 16), rndIfd)) {
    throw new DeviceError('CHIP_BAC_MISMATCH', 'The chip\'s BAC answer does not echo our challenge; the chip is not trusted.');
  }
  return new SecureMessaging(bacSessionKeys(kIfd, r.subarray(16, 32), rndIc, rndIfd));
}

/** What the chip answers to a BAC command; `secureMessaging` once EXTERNAL AUTHENTICATE succeeded. */
export interface BacChipAnswer {
  readonly response: ResponseApdu;
  readonly secureMessaging?: ChipSecureMessaging;
}

/**
 * The chip's side of BAC for one document: answers GET CHALLENGE with RND.IC and EXTERNAL
 * AUTHENTICATE with its own cryptogram, or 6300 when the reader's cryptogram fails (a wrong
 * MRZ), as real chips do. A challenge serves one EXTERNAL AUTHENTICATE only.
 */
export class BacChip {
  readonly #keys: BacKeys;
  readonly #random: RandomSource;
  #rndIc: Uint8Array | undefined;

  constructor(fields: MrzAccessFields, { random = defaultRandom }: { random?: RandomSource } = {}) {
    this.#keys = bacKeys(fields);
    this.#random = random;
  }

  /** Answers GET CHALLENGE and EXTERNAL AUTHENTICATE (plain commands); undefined for any other command. */
  answer(command: CommandApdu): BacChipAnswer | undefined {
    if (command.ins === INS_GET_CHALLENGE) return { response: this.#challenge(command) };
    if (command.ins === INS_EXTERNAL_AUTHENTICATE) return this.#authenticate(command);
    return undefined;
  }

  #challenge(command: CommandApdu): ResponseApdu {
    if (command.p1 !== 0 || command.p2 !== 0) return status(SW_INCORRECT_P1P2);
    if (command.le !== 8 || (command.data?.length ?? 0) > 0) return status(SW_WRONG_LENGTH);
    this.#rndIc = this.#random(8);
    return { data: Uint8Array.from(this.#rndIc), sw: SW_SUCCESS };
  }

  #authenticate(command: CommandApdu): BacChipAnswer {
    const rndIc = this.#rndIc;
    this.#rndIc = undefined;
    if (command.p1 !== 0 || command.p2 !== 0) return { response: status(SW_INCORRECT_P1P2) };
    if (!rndIc) return { response: status(SW_CONDITIONS_NOT_SATISFIED) };
    if (command.data?.length !== CRYPTOGRAM_LENGTH) return { response: status(SW_WRONG_LENGTH) };
    const s = openCryptogram(this.#keys, command.data);
    if (!s || !sameBytes(s.subarray(8, 16), rndIc)) return { response: status(SW_AUTHENTICATION_FAILED) };
    const rndIfd = s.subarray(0, 8);
    const kIc = this.#random(16);
    const data = cryptogram(this.#keys, Buffer.concat([rndIc, rndIfd, kIc]));
    return {
      response: { data, sw: SW_SUCCESS },
      secureMessaging: new ChipSecureMessaging(bacSessionKeys(s.subarray(16, 32), kIc, rndIc, rndIfd)),
    };
  }
}

const status = (sw: number): ResponseApdu => ({ data: new Uint8Array(0), sw });
