// One-time page addresses of the browser host: a bootstrap token opens one session within
// its lifetime and never again (its comeback is flagged once, for the audit), forged,
// malformed and expired tokens open nothing, and the session cookie is HttpOnly,
// SameSite=Strict and only for the RPC path.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_TOKEN_LIFETIME_MS, mintBootstrapToken, PageSessions, pageAddress, sessionCookie, sessionKeyFromCookies,
} from '../../../../main/host/page-sessions.js';

function sessionsAt(start = Date.parse('2026-12-07T08:00:00Z')) {
  const clock = { now: start };
  return { clock, sessions: new PageSessions(Buffer.alloc(32, 7), () => clock.now) };
}

describe('PageSessions', () => {
  it('exchanges a fresh token once for a session key it then holds', () => {
    const { sessions } = sessionsAt();
    const token = sessions.mintToken();
    const first = sessions.exchange(token);
    expect(first).toMatchObject({ ok: true, sessionKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(sessions.holds(first.ok ? first.sessionKey : '')).toBe(true);
  });

  it('refuses a spent token, flagging only its first comeback', () => {
    const { sessions } = sessionsAt();
    const token = sessions.mintToken();
    expect(sessions.exchange(token).ok).toBe(true);
    expect(sessions.exchange(token)).toEqual({ ok: false, reason: 'spent', firstReplay: true });
    expect(sessions.exchange(token)).toEqual({ ok: false, reason: 'spent', firstReplay: false });
  });

  it('refuses a token after its lifetime, and a spent one still after the host forgot it', () => {
    const { clock, sessions } = sessionsAt();
    const late = sessions.mintToken();
    const spent = sessions.mintToken();
    expect(sessions.exchange(spent).ok).toBe(true);
    clock.now += BOOTSTRAP_TOKEN_LIFETIME_MS + 1;
    expect(sessions.exchange(late)).toMatchObject({ ok: false, reason: 'expired' });
    expect(sessions.exchange(spent)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('takes a token up to the end of its lifetime', () => {
    const { clock, sessions } = sessionsAt();
    const token = sessions.mintToken();
    clock.now += BOOTSTRAP_TOKEN_LIFETIME_MS;
    expect(sessions.exchange(token).ok).toBe(true);
  });

  it('refuses a token issued ahead of its clock', () => {
    const { clock, sessions } = sessionsAt();
    expect(sessions.exchange(mintBootstrapToken(sessions.mintingKey, clock.now + 5_000))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses tokens minted under another key, or altered', () => {
    const { clock, sessions } = sessionsAt();
    expect(sessions.exchange(mintBootstrapToken(Buffer.alloc(32, 8), clock.now))).toMatchObject({ ok: false, reason: 'forged' });
    const [issued, nonce, mac] = sessions.mintToken().split('.');
    const otherNonce = `${nonce!.slice(0, -1)}${nonce!.endsWith('A') ? 'B' : 'A'}`;
    expect(sessions.exchange(`${issued}.${otherNonce}.${mac}`)).toMatchObject({ ok: false, reason: 'forged' });
    expect(sessions.exchange(`${issued}.${nonce}.${mac!.slice(0, -2)}`)).toMatchObject({ ok: false, reason: 'forged' });
  });

  it.each([
    ['nothing', ''],
    ['one part', 'abc'],
    ['four parts', 'a.b.c.d'],
    ['a time that is not base 36', 'ZZ.AAAAAAAAAAAAAAAAAAAAAAAA.x'],
    ['a short nonce', 'mb1.AAAA.x'],
  ])('refuses %s as malformed', (_label, token) => {
    expect(sessionsAt().sessions.exchange(token)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('opens nothing for any other string', () => {
    const { sessions } = sessionsAt();
    fc.assert(fc.property(fc.string(), (token) => {
      expect(sessions.exchange(token).ok).toBe(false);
    }));
  });

  it('holds no key it did not hand out', () => {
    const { sessions } = sessionsAt();
    expect(sessions.holds(undefined)).toBe(false);
    expect(sessions.holds('')).toBe(false);
    expect(sessions.holds(sessions.mintToken())).toBe(false);
  });
});

describe('the page address and the session cookie', () => {
  it('puts the token on the session path of the origin', () => {
    expect(pageAddress('http://127.0.0.1:4000', 'T.K.M')).toBe('http://127.0.0.1:4000/session?bootstrap=T.K.M');
  });

  it('sets an HttpOnly, SameSite=Strict cookie for the RPC path only', () => {
    expect(sessionCookie('KEY')).toBe('gatehouse-session=KEY; Path=/rpc; HttpOnly; SameSite=Strict');
  });

  it('finds the session key among other cookies, and nothing under other names', () => {
    expect(sessionKeyFromCookies('a=1; gatehouse-session=KEY ; b=2')).toBe('KEY');
    expect(sessionKeyFromCookies('gatehouse-session-old=KEY; xgatehouse-session=KEY')).toBeUndefined();
    expect(sessionKeyFromCookies(undefined)).toBeUndefined();
    expect(sessionKeyFromCookies('')).toBeUndefined();
  });
});
