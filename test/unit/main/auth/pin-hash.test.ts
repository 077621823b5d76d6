// scrypt PIN hashes: the stored format, that only the right PIN verifies, and that a
// tampered or malformed stored hash never verifies (and never throws).

import { describe, expect, it } from 'vitest';
import { decoyHash, hashPin, verifyPin } from '../../../../main/auth/pin-hash.js';

const CHEAP = { N: 1 << 10, r: 8, p: 1 };
const B64URL = '[A-Za-z0-9_-]';

/** Replaces part `index` of a `scrypt$N$r$p$salt$hash` string. */
function withPart(stored: string, index: number, value: string): string {
  const parts = stored.split('$');
  parts[index] = value;
  return parts.join('$');
}

function flipFirstChar(text: string): string {
  return `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
}

describe('hashPin', () => {
  it('stores scrypt$N$r$p$salt$hash with the default cost, a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPin('482913');
    expect(stored).toMatch(new RegExp(`^scrypt\\$32768\\$8\\$1\\$${B64URL}{22}\\$${B64URL}{43}$`));
    expect(stored).not.toContain('482913');
  });

  it('salts every hash, so the same PIN hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPin('482913', CHEAP), hashPin('482913', CHEAP)]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('records the cost it was given', async () => {
    expect((await hashPin('482913', CHEAP)).split('$').slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
  });
});

describe('verifyPin', () => {
  it('accepts the right PIN and refuses a wrong one', async () => {
    const stored = await hashPin('482913', CHEAP);
    expect(await verifyPin('482913', stored)).toBe(true);
    expect(await verifyPin('482914', stored)).toBe(false);
    expect(await verifyPin('', stored)).toBe(false);
    expect(await verifyPin('482913 ', stored)).toBe(false);
  });

  it('verifies a hash made at the default cost', async () => {
    const stored = await hashPin('correct horse');
    expect(await verifyPin('correct horse', stored)).toBe(true);
    expect(await verifyPin('correct hors', stored)).toBe(false);
  });

  it('treats composed and decomposed Unicode as the same password', async () => {
    const stored = await hashPin('Gr\u00fc\u00dfe-2026', CHEAP);
    expect(await verifyPin('Gru\u0308\u00dfe-2026', stored)).toBe(true);
  });

  it('refuses the right PIN against a tampered key or salt', async () => {
    const stored = await hashPin('482913', CHEAP);
    expect(await verifyPin('482913', withPart(stored, 5, flipFirstChar(stored.split('$')[5]!)))).toBe(false);
    expect(await verifyPin('482913', withPart(stored, 4, flipFirstChar(stored.split('$')[4]!)))).toBe(false);
    expect(await verifyPin('482913', withPart(stored, 5, stored.split('$')[5]!.slice(0, 20)))).toBe(false);
  });

  it('refuses the right PIN against a hash whose cost was changed to another valid cost', async () => {
    const stored = await hashPin('482913', CHEAP);
    expect(await verifyPin('482913', withPart(stored, 1, '2048'))).toBe(false);
    expect(await verifyPin('482913', withPart(stored, 2, '4'))).toBe(false);
    expect(await verifyPin('482913', withPart(stored, 3, '2'))).toBe(false);
  });

  it.each([
    ['N not a number', (s: string) => withPart(s, 1, 'abc')],
    ['N not a power of two', (s: string) => withPart(s, 1, '1000')],
    ['N zero', (s: string) => withPart(s, 1, '0')],
    ['N absurdly large', (s: string) => withPart(s, 1, String(2 ** 40))],
    ['r zero', (s: string) => withPart(s, 2, '0')],
    ['p negative', (s: string) => withPart(s, 3, '-1')],
    ['another scheme', (s: string) => withPart(s, 0, 'bcrypt')],
    ['missing parts', (s: string) => s.split('$').slice(0, 4).join('$')],
    ['an empty string', () => ''],
    ['plain text', () => '482913'],
  ])('returns false (not an exception) for a stored hash with %s', async (_label, mangle) => {
    const stored = await hashPin('482913', CHEAP);
    await expect(verifyPin('482913', mangle(stored))).resolves.toBe(false);
  });
});

describe('decoyHash', () => {
  it('is one well-formed hash that no short PIN matches', async () => {
    const decoy = await decoyHash();
    expect(await decoyHash()).toBe(decoy);
    expect(decoy).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPin('000000', decoy)).toBe(false);
  });
});
