// Operator PINs and passwords are stored only as scrypt hashes with a per-hash salt
// and their cost parameters, so the cost can rise later without breaking old hashes.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const DEFAULT_COST: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>> = { N: 1 << 15, r: 8, p: 1 };

function derive(pin: string, salt: Buffer, cost: typeof DEFAULT_COST): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem: 128 * cost.N * cost.r * 2 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Returns `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPin(pin: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A stored cost outside these bounds was not made by hashPin (N a power of two, at most 256 MiB). */
function isSaneCost({ N, r, p }: typeof DEFAULT_COST): boolean {
  const positive = (x: number) => Number.isSafeInteger(x) && x >= 1;
  return positive(N) && N >= 2 && (N & (N - 1)) === 0 && positive(r) && positive(p) && p <= 16 && 128 * N * r <= 256 * 1024 * 1024;
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !hash || !isSaneCost(cost)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(pin, Buffer.from(salt, 'base64url'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let decoy: Promise<string> | null = null;

/** A hash of nothing in particular, verified against when a name is unknown so that
 *  a wrong name takes as long as a wrong PIN. */
export function decoyHash(): Promise<string> {
  decoy ??= hashPin(randomBytes(16).toString('hex'));
  return decoy;
}
