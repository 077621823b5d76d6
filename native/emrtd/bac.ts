// Basic Access Control (ICAO Doc 9303-11 §4.3 and §9.7): the reader proves it has read the
// MRZ (document number, birth date, expiry date with their check digits) and both sides agree
// 3DES session keys for secure messaging. This is the reader's side, `bac()`, and the steps
// both sides compute (the virtual chip's side is native/sim/emrtd/bac-chip.ts). The reader's
// randoms come from an injectable source so the 9303 worked example (Appendix D) replays byte
// for byte.

import { createHash } from 'node:crypto';
import { DeviceError } from '../device-error.js';
import { checkDigit } from '../idreader/mrz/check-digit.js';
import type { MrzFieldValues } from '../idreader/mrz/mrz-result.js';
import type { ApduTransport } from '../transport/apdu-transport.js';
import { SW_SUCCESS, swHex } from '../transport/command-apdu.js';
import { PlainChannel } from './chip-channel.js';
import { deriveKey, pad, retailMac, sameBytes, secureRandom, tdesCbc, type RandomSource } from './chip-crypto.js';
import { SecureMessaging, type SessionKeys } from './secure-messaging.js';

/** The three MRZ fields BAC (and PACE with an MRZ password) keys are made from, as the MRZ parser reports them. */
export type MrzAccessFields = Pick<MrzFieldValues, 'documentNumber' | 'birthDate' | 'expiryDate'>;

export interface BacKeys {
  readonly kSeed: Uint8Array;
  readonly kEnc: Uint8Array;
  readonly kMac: Uint8Array;
}

const SW_AUTHENTICATION_FAILED = 0x6300;
export const INS_GET_CHALLENGE = 0x84;
export const INS_EXTERNAL_AUTHENTICATE = 0x82;
/** E (32 bytes) ‖ MAC (8 bytes). */
export const CRYPTOGRAM_LENGTH = 40;

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

/** E = 3DES(K, S) and M = MAC(K, pad(E)): the 40-byte cryptogram either side sends. */
export function bacCryptogram(keys: BacKeys, plain: Uint8Array): Uint8Array {
  const encrypted = tdesCbc(keys.kEnc, plain, true);
  return Uint8Array.from(Buffer.concat([encrypted, retailMac(keys.kMac, pad(encrypted, 8))]));
}

/** The plain S inside a cryptogram, or undefined when its MAC does not hold. */
export function openBacCryptogram(keys: BacKeys, bytes: Uint8Array): Uint8Array | undefined {
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

/**
 * Runs BAC over a plain channel (the eMRTD application already selected): GET CHALLENGE,
 * EXTERNAL AUTHENTICATE, verification of the chip's answer (MAC first, then RND.IFD echoed),
 * and returns the reader's secure messaging session.
 */
export async function bac(transport: ApduTransport, fields: MrzAccessFields, { random = secureRandom }: BacOptions = {}): Promise<SecureMessaging> {
  const keys = bacKeys(fields);
  const channel = new PlainChannel(transport);

  const challenge = await channel.send({ cla: 0x00, ins: INS_GET_CHALLENGE, p1: 0x00, p2: 0x00, ne: 8 });
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
    data: bacCryptogram(keys, Buffer.concat([rndIfd, rndIc, kIfd])), ne: CRYPTOGRAM_LENGTH,
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
  const r = openBacCryptogram(keys, answer.data);
  if (!r) {
    throw new DeviceError('CHIP_BAC_MAC',
      'The chip\'s BAC answer failed its checksum: it was altered in transit or does not come from this document.');
  }
  if (!sameBytes(r.subarray(0, 8), rndIc) || !sameBytes(r.subarray(8, 16), rndIfd)) {
    throw new DeviceError('CHIP_BAC_MISMATCH', 'The chip\'s BAC answer does not echo our challenge; the chip is not trusted.');
  }
  return new SecureMessaging(bacSessionKeys(kIfd, r.subarray(16, 32), rndIc, rndIfd));
}
