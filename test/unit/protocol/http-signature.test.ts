// Request signatures: the signature base matches RFC 9421's own Ed25519 example, the headers
// have the documented form, and any change to what is signed (method, path, query, body,
// created, nonce, keyid, signature bytes) makes verification fail with its code.

import { createPrivateKey, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyMatchesDigest, contentDigest, signatureBase, signRequest, verifyRequest, verifyRequestHeaders, type SignRequestInput, type VerifyRequestInput,
} from '../../../protocol/http-signature.js';
import { generateSigningKeyPair } from '../../../protocol/keys.js';

const KIOSK = '6f1f8a52-3c1e-4c55-9d0e-2f1a7c9b1e01';
const OTHER_KIOSK = '0b8e3d4c-7a6f-4e21-8c3b-5d9f1a2e4c02';
const kioskKeys = generateSigningKeyPair();
const otherKeys = generateSigningKeyPair();
const NOW = new Date('2025-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function sent(overrides: Partial<SignRequestInput> = {}) {
  const request = { method: 'PUT', path: '/v1/records/r-1', body: Buffer.from('sealed bytes'), keyId: KIOSK, privateKey: kioskKeys.privateKey, now: NOW, ...overrides };
  return { method: request.method, path: request.path, body: Buffer.from(request.body), headers: { ...signRequest(request) } as Record<string, string> };
}

function verifying(request: ReturnType<typeof sent>, overrides: Partial<VerifyRequestInput> = {}): Promise<Awaited<ReturnType<typeof verifyRequest>>> {
  const keys = new Map([[KIOSK, { publicKey: kioskKeys.publicKey, revoked: false }], [OTHER_KIOSK, { publicKey: otherKeys.publicKey, revoked: false }]]);
  return verifyRequest({
    ...request,
    lookupKey: async (keyId) => keys.get(keyId),
    now: NOW,
    skewSeconds: 300,
    seenNonce: nonceStore(),
    ...overrides,
  });
}

/** A nonce store as the authority keeps one: true when the key already used the nonce. */
function nonceStore(): VerifyRequestInput['seenNonce'] {
  const seen = new Set<string>();
  return async (keyId, nonce) => seen.has(`${keyId} ${nonce}`) || (seen.add(`${keyId} ${nonce}`), false);
}

const code = async (request: ReturnType<typeof sent>, overrides: Partial<VerifyRequestInput> = {}) => {
  const result = await verifying(request, overrides);
  return result.ok ? 'ok' : result.code;
};

describe('signature base', () => {
  it('reproduces the Ed25519 example of RFC 9421 appendix B.2.6', () => {
    const rfcKey = createPrivateKey({ key: Buffer.from('MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF', 'base64'), format: 'der', type: 'pkcs8' });
    const base = signatureBase([
      ['date', 'Tue, 20 Apr 2021 02:07:55 GMT'], ['@method', 'POST'], ['@path', '/foo'], ['@authority', 'example.com'],
      ['content-type', 'application/json'], ['content-length', '18'],
    ], '("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"');
    expect(sign(null, Buffer.from(base), rfcKey).toString('base64'))
      .toBe('wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==');
  });

  it('computes Content-Digest as in RFC 9530, empty body included', () => {
    expect(contentDigest('{"hello": "world"}')).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
    expect(contentDigest(new Uint8Array())).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });

  it('writes the documented headers', () => {
    const { headers } = sent({ nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(headers['signature-input']).toBe(
      `sig1=("@method" "@path" "@query" "content-digest");created=${NOW_SECONDS};nonce="AAAAAAAAAAAAAAAAAAAAAA";keyid="${KIOSK}";alg="ed25519"`,
    );
    expect(headers.signature).toMatch(/^sig1=:[A-Za-z0-9+/]{86}==:$/);
    expect(headers['content-digest']).toBe(contentDigest('sealed bytes'));
  });
});

describe('verifyRequest', () => {
  it('accepts what signRequest signed, with and without a query and a body', async () => {
    expect(await verifying(sent())).toMatchObject({ ok: true, keyId: KIOSK, created: NOW_SECONDS });
    expect(await code(sent({ method: 'GET', path: '/v1/uploads/u?offset=5', body: new Uint8Array() }))).toBe('ok');
  });

  it('refuses the same signed request a second time', async () => {
    const seenNonce = nonceStore();
    const request = sent();
    expect(await code(request, { seenNonce })).toBe('ok');
    expect(await code(request, { seenNonce })).toBe('SIG_REPLAYED');
  });

  it('refuses a request without signature headers', async () => {
    const unsigned = sent().headers;
    delete unsigned.signature;
    expect(await code({ ...sent(), headers: unsigned })).toBe('SIG_MISSING');
    expect(await code({ ...sent(), headers: {} })).toBe('SIG_MISSING');
  });

  it.each([
    ['a missing component', (h: Record<string, string>) => ({ ...h, 'signature-input': h['signature-input']!.replace(' "@query"', '') })],
    ['another algorithm', (h: Record<string, string>) => ({ ...h, 'signature-input': h['signature-input']!.replace('"ed25519"', '"rsa-pss-sha512"') })],
    ['no nonce', (h: Record<string, string>) => ({ ...h, 'signature-input': h['signature-input']!.replace(/;nonce="[^"]*"/, '') })],
    ['a broken dictionary', (h: Record<string, string>) => ({ ...h, 'signature-input': 'sig1=("@method" ' })],
    ['a signature that is not bytes', (h: Record<string, string>) => ({ ...h, signature: 'sig1="abc"' })],
    ['no Content-Digest', ({ 'content-digest': _dropped, ...h }: Record<string, string>) => h],
    ['a duplicated header', (h: Record<string, string>) => ({ ...h, signature: [h.signature, h.signature] as unknown as string })],
  ])('refuses %s as malformed', async (_name, change) => {
    const request = sent();
    expect(await code({ ...request, headers: change(request.headers) })).toBe('SIG_MALFORMED');
  });

  it('refuses a signature created outside the skew window, either way', async () => {
    expect(await code(sent({ now: new Date(NOW.getTime() - 301_000) }))).toBe('SIG_EXPIRED');
    expect(await code(sent({ now: new Date(NOW.getTime() + 301_000) }))).toBe('SIG_EXPIRED');
    expect(await code(sent({ now: new Date(NOW.getTime() - 299_000) }))).toBe('ok');
  });

  it('refuses an unknown key, and a revoked one only once its signature verifies', async () => {
    expect(await code(sent({ keyId: 'c2f7a9d0-0000-4000-8000-000000000000' }))).toBe('KEY_UNKNOWN');
    const revoked = { lookupKey: async () => ({ publicKey: kioskKeys.publicKey, revoked: true }) };
    expect(await code(sent(), revoked)).toBe('KEY_REVOKED');
    expect(await code(sent({ privateKey: otherKeys.privateKey }), revoked)).toBe('SIG_BAD');
  });

  it('refuses a body that does not match its digest', async () => {
    expect(await code({ ...sent(), body: Buffer.from('other bytes') })).toBe('DIGEST_MISMATCH');
  });
});

describe('verifyRequest under any change to what was signed', () => {
  const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];
  const request = fc.record({
    method: fc.constantFrom(...METHODS),
    path: fc.stringMatching(/^\/v1\/[a-z0-9/._-]{0,30}(\?[a-z0-9=&]{1,12})?$/),
    body: fc.uint8Array({ maxLength: 256 }),
  });
  const replaceParam = (headers: Record<string, string>, pattern: RegExp, value: string) =>
    ({ ...headers, 'signature-input': headers['signature-input']!.replace(pattern, value) });

  it('accepts the unchanged request', async () => {
    await fc.assert(fc.asyncProperty(request, async (r) => {
      expect(await code(sent(r))).toBe('ok');
    }));
  });

  it('refuses another method', async () => {
    await fc.assert(fc.asyncProperty(request, fc.constantFrom(...METHODS), async (r, method) => {
      fc.pre(method !== r.method);
      expect(await code({ ...sent(r), method })).toBe('SIG_BAD');
    }));
  });

  it('refuses another path or query', async () => {
    await fc.assert(fc.asyncProperty(request, fc.stringMatching(/^\/[a-z0-9/?=&]{0,30}$/), async (r, path) => {
      const withoutEmptyQuery = (target: string) => target.replace(/\?$/, ''); // RFC 9421: no query and "?" are the same
      fc.pre(withoutEmptyQuery(path) !== withoutEmptyQuery(r.path));
      expect(await code({ ...sent(r), path })).toBe('SIG_BAD');
    }));
  });

  it('refuses another query on the same path', async () => {
    await fc.assert(fc.asyncProperty(request, fc.stringMatching(/^[a-z0-9=&]{1,12}$/), async (r, query) => {
      const path = r.path.split('?')[0]!;
      fc.pre(`${path}?${query}` !== r.path);
      expect(await code({ ...sent(r), path: `${path}?${query}` })).toBe('SIG_BAD');
    }));
  });

  it('refuses another body, with or without a recomputed digest', async () => {
    await fc.assert(fc.asyncProperty(request, fc.uint8Array({ maxLength: 256 }), async (r, body) => {
      fc.pre(!Buffer.from(body).equals(Buffer.from(r.body)));
      const original = sent(r);
      expect(await code({ ...original, body: Buffer.from(body) })).toBe('DIGEST_MISMATCH');
      const redigested = { ...original.headers, 'content-digest': contentDigest(body) };
      expect(await code({ ...original, body: Buffer.from(body), headers: redigested })).toBe('SIG_BAD');
    }));
  });

  it('refuses another created time, nonce or keyid', async () => {
    await fc.assert(fc.asyncProperty(request, fc.integer({ min: -300, max: 300 }), fc.base64String({ minLength: 24, maxLength: 24 }), async (r, shift, nonce) => {
      fc.pre(shift !== 0);
      const original = sent(r);
      const created = replaceParam(original.headers, /created=\d+/, `created=${NOW_SECONDS + shift}`);
      expect(await code({ ...original, headers: created })).toBe('SIG_BAD');
      const renonced = replaceParam(original.headers, /nonce="[^"]*"/, `nonce="${nonce}"`);
      expect(await code({ ...original, headers: renonced })).toBe('SIG_BAD');
      const rekeyed = replaceParam(original.headers, /keyid="[^"]*"/, `keyid="${OTHER_KIOSK}"`);
      expect(await code({ ...original, headers: rekeyed })).toBe('SIG_BAD');
    }));
  });

  it('refuses any flipped signature bit', async () => {
    await fc.assert(fc.asyncProperty(request, fc.integer({ min: 0, max: 511 }), async (r, bit) => {
      const original = sent(r);
      const signature = Buffer.from(/^sig1=:(.*):$/.exec(original.headers.signature!)![1]!, 'base64');
      signature[bit >> 3]! ^= 1 << (bit & 7);
      const headers = { ...original.headers, signature: `sig1=:${signature.toString('base64')}:` };
      expect(await code({ ...original, headers })).toBe('SIG_BAD');
    }));
  });
});

describe('verifyRequestHeaders', () => {
  const headersOnly = (request: ReturnType<typeof sent>, headers: Record<string, string | string[]> = request.headers) => {
    const keys = new Map([[KIOSK, { publicKey: kioskKeys.publicKey, revoked: false }]]);
    return verifyRequestHeaders({
      method: request.method, path: request.path, headers, lookupKey: async (keyId) => keys.get(keyId), now: NOW, skewSeconds: 300, seenNonce: nonceStore(),
    });
  };

  it('verifies without the body and gives the signed digest the body must then match', async () => {
    const request = sent();
    const verdict = await headersOnly(request);
    expect(verdict).toMatchObject({ ok: true, keyId: KIOSK });
    if (!verdict.ok) return;
    expect(bodyMatchesDigest(request.body, verdict.digest)).toBe(true);
    expect(bodyMatchesDigest(Buffer.from('other bytes'), verdict.digest)).toBe(false);
  });

  it.each(['signature-input', 'signature', 'content-digest'])('refuses a repeated %s header as SIG_MALFORMED', async (name) => {
    const request = sent();
    const verdict = await headersOnly(request, { ...request.headers, [name]: [request.headers[name]!, request.headers[name]!] });
    expect(verdict).toMatchObject({ ok: false, code: 'SIG_MALFORMED', message: expect.stringContaining(name) });
  });
});
