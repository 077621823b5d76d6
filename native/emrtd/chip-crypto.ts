// The block-cipher primitives ICAO Doc 9303 part 11 builds BAC, PACE and secure messaging
// from: ISO/IEC 9797-1 padding method 2, two-key 3DES in CBC mode, the retail MAC
// (ISO/IEC 9797-1 MAC algorithm 3 with DES), AES-CBC, AES-CMAC (RFC 4493) and the key
// derivation function KDF(K, c) of 9303-11 §9.7.1; plus the random source every protocol draws
// from and a constant-time comparison for MACs and tokens. OpenSSL 3 has no single DES, so
// single-DES steps use two-key 3DES with both halves equal (EDE with K‖K is DES under K).

import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DeviceError } from '../device-error.js';

/** Bytes of randomness on request; injected so worked examples and recorded traces replay byte for byte. */
export type RandomSource = (length: number) => Uint8Array;

export const secureRandom: RandomSource = (length) => Uint8Array.from(randomBytes(length));

/** Equal length and contents, compared in constant time (MACs, tokens, hashes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The ciphers 9303 secure messaging runs on (AES with the key length PACE agreed). */
export type SmCipher = '3des' | 'aes-128' | 'aes-192' | 'aes-256';

export const blockSize = (cipher: SmCipher): number => (cipher === '3des' ? 8 : 16);

/** The ciphers from strongest to weakest: which PACE or Chip Authentication suite a reader picks among several. */
export const CIPHER_PREFERENCE: readonly SmCipher[] = ['aes-256', 'aes-192', 'aes-128', '3des'];

/** ISO/IEC 9797-1 padding method 2: 80, then 00 up to a whole block (always adds at least one byte). */
export function pad(data: Uint8Array, block: number): Uint8Array {
  const length = (Math.floor(data.length / block) + 1) * block;
  const out = new Uint8Array(length);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/**
 * Removes method-2 padding; CHIP_SM_PADDING when there is none. Given the block size, the
 * padding must also lie within the last block (method 2 never adds more than one block).
 */
export function unpad(data: Uint8Array, block?: number): Uint8Array {
  let end = data.length - 1;
  while (end >= 0 && data[end] === 0x00) end--;
  if (end < 0 || data[end] !== 0x80 || (block !== undefined && data.length - end > block)) {
    throw new DeviceError('CHIP_SM_PADDING', 'The chip\'s encrypted data is not padded as ISO/IEC 9797-1 method 2 requires.');
  }
  return data.subarray(0, end);
}

function run(algorithm: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array, encrypt: boolean): Uint8Array {
  const cipher = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  cipher.setAutoPadding(false);
  // A plain Uint8Array, not a Buffer: Buffer#slice shares memory and Buffers compare unequal to Uint8Arrays.
  return Uint8Array.from(Buffer.concat([cipher.update(data), cipher.final()]));
}

const ZERO_IV = new Uint8Array(8);

/** Two-key 3DES-CBC (16-byte key), no padding; the IV is zero unless given. */
export function tdesCbc(key: Uint8Array, data: Uint8Array, encrypt: boolean, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run('des-ede-cbc', key, iv, data, encrypt);
}

/** ISO/IEC 9797-1 MAC algorithm 3 with DES (the "retail MAC") over already padded data: 8 bytes. */
export function retailMac(key: Uint8Array, padded: Uint8Array): Uint8Array {
  if (padded.length === 0 || padded.length % 8 !== 0) throw new RangeError('retail MAC input must be whole blocks');
  const ka = key.subarray(0, 8);
  const singleDes = Buffer.concat([ka, ka]);
  const head = padded.subarray(0, padded.length - 8);
  const chain = head.length > 0 ? run('des-ede-cbc', singleDes, ZERO_IV, head, true).subarray(-8) : new Uint8Array(8);
  const last = padded.subarray(-8).map((byte, i) => byte ^ chain[i]!);
  // Final step: encrypt under Ka, decrypt under Kb, encrypt under Ka = two-key 3DES of the last block.
  return run('des-ede', key, null, last, true);
}

function aesName(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (![16, 24, 32].includes(key.length)) throw new RangeError(`AES key of ${key.length} bytes`);
  return `aes-${key.length * 8}-${mode}`;
}

export function aesCbc(key: Uint8Array, data: Uint8Array, encrypt: boolean, iv: Uint8Array): Uint8Array {
  return run(aesName(key, 'cbc'), key, iv, data, encrypt);
}

/** One AES block encrypted in ECB mode (the IV of AES secure messaging is E(K_enc, SSC)). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  return run(aesName(key, 'ecb'), key, null, block, true);
}

function doubleBlock(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i]! << 1) | (i < 15 ? block[i + 1]! >>> 7 : 0)) & 0xff;
  if (block[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

/** AES-CMAC (RFC 4493 / NIST SP 800-38B), the full 16 bytes; 9303 keeps the first 8. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k1 = doubleBlock(aesEncryptBlock(key, new Uint8Array(16)));
  const k2 = doubleBlock(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = message.subarray((blocks - 1) * 16);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const subkey = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i]! ^= subkey[i]!;
  let state = new Uint8Array(16);
  for (let b = 0; b < blocks - 1; b++) {
    state = aesEncryptBlock(key, state.map((byte, i) => byte ^ message[b * 16 + i]!)) as Uint8Array<ArrayBuffer>;
  }
  return aesEncryptBlock(key, state.map((byte, i) => byte ^ last[i]!));
}

/** Sets each DES key byte's lowest bit so the byte has odd parity (FIPS 46-3). */
export function adjustDesParity(key: Uint8Array): Uint8Array {
  return key.map((byte) => {
    let ones = 0;
    for (let bit = 1; bit < 0x100; bit <<= 1) if (byte & bit & 0xfe) ones++;
    return (byte & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  });
}

/** The counter of KDF(K, c): 1 encryption key, 2 MAC key, 3 the PACE password key. */
export type KdfCounter = 1 | 2 | 3;

/**
 * KDF(K, c) of 9303-11 §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256, over
 * K ‖ c (c as four bytes); 3DES keys take 16 bytes with DES parity adjusted.
 */
export function deriveKey(secret: Uint8Array, counter: KdfCounter, cipher: SmCipher): Uint8Array {
  const hash = cipher === 'aes-192' || cipher === 'aes-256' ? 'sha256' : 'sha1';
  const digest = createHash(hash).update(secret).update(Uint8Array.of(0, 0, 0, counter)).digest();
  if (cipher === '3des') return adjustDesParity(digest.subarray(0, 16));
  const length = cipher === 'aes-128' ? 16 : cipher === 'aes-192' ? 24 : 32;
  return Uint8Array.from(digest.subarray(0, length));
}
