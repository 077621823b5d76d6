// The rule for RPC connections to the browser host: a session key this host handed out
// (401 without one) and exactly the served page's Origin (403 otherwise).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRpcConnection } from '../../../../main/host/connection-guard.js';

const SESSION = 'Zk3v9T2q-session-key_0123456789abcdefghijkl';
const expected = { origin: 'http://127.0.0.1:41234', holdsSession: (key: string | undefined) => key === SESSION };

describe('checkRpcConnection', () => {
  it('allows a session of this host from the served origin', () => {
    expect(checkRpcConnection({ origin: expected.origin, sessionKey: SESSION }, expected)).toEqual({ allowed: true });
  });

  it.each([
    ['no session', undefined],
    ['an empty session key', ''],
    ['a key this host did not hand out', `${SESSION.slice(0, -1)}X`],
  ])('refuses %s with 401, whatever the origin', (_label, sessionKey) => {
    for (const origin of [expected.origin, undefined, 'http://evil.example']) {
      expect(checkRpcConnection({ origin, sessionKey }, expected)).toMatchObject({ allowed: false, status: 401 });
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
  ])('refuses origin "%s" with 403 even with a session', (origin) => {
    expect(checkRpcConnection({ origin, sessionKey: SESSION }, expected)).toMatchObject({ allowed: false, status: 403 });
  });

  it('refuses a missing origin with 403', () => {
    expect(checkRpcConnection({ origin: undefined, sessionKey: SESSION }, expected))
      .toEqual({ allowed: false, status: 403, reason: `origin (none) is not ${expected.origin}` });
  });

  it('allows nothing but the exact pair', () => {
    fc.assert(fc.property(fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (origin, sessionKey) => {
      const verdict = checkRpcConnection({ origin, sessionKey }, expected);
      expect(verdict.allowed).toBe(origin === expected.origin && sessionKey === SESSION);
    }));
  });
});
