// The rule for RPC connections to the browser host: this launch's secret (401 without
// it) and exactly the served page's Origin (403 otherwise).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRpcConnection } from '../../../../main/host/connection-guard.js';

const expected = { origin: 'http://127.0.0.1:41234', secret: 'Zk3v9T2q-launch-secret_0123456789abcdefghij' };

describe('checkRpcConnection', () => {
  it('allows the right secret from the served origin', () => {
    expect(checkRpcConnection({ origin: expected.origin, secret: expected.secret }, expected)).toEqual({ allowed: true });
  });

  it.each([
    ['no secret', undefined],
    ['an empty secret', ''],
    ['a wrong secret of the same length', `${expected.secret.slice(0, -1)}X`],
    ['a prefix of the secret', expected.secret.slice(0, 10)],
    ['the secret with more after it', `${expected.secret}A`],
    ['the secret in another case', expected.secret.toUpperCase()],
  ])('refuses %s with 401, whatever the origin', (_label, secret) => {
    for (const origin of [expected.origin, undefined, 'http://evil.example']) {
      expect(checkRpcConnection({ origin, secret }, expected)).toEqual({ allowed: false, status: 401, reason: 'missing or wrong launch secret' });
    }
  });

  it.each([
    'http://evil.example',
    'http://localhost:41234',
    'http://127.0.0.1:41235',
    'https://127.0.0.1:41234',
    'http://127.0.0.1:41234/',
    'http://127.0.0.1',
    'null',
    'file://',
    '',
  ])('refuses origin "%s" with 403 even with the secret', (origin) => {
    expect(checkRpcConnection({ origin, secret: expected.secret }, expected)).toMatchObject({ allowed: false, status: 403 });
  });

  it('refuses a missing origin with 403', () => {
    expect(checkRpcConnection({ origin: undefined, secret: expected.secret }, expected))
      .toEqual({ allowed: false, status: 403, reason: `origin (none) is not ${expected.origin}` });
  });

  it('allows nothing but the exact pair', () => {
    fc.assert(fc.property(fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (origin, secret) => {
      const verdict = checkRpcConnection({ origin, secret }, expected);
      expect(verdict.allowed).toBe(origin === expected.origin && secret === expected.secret);
    }));
  });
});
