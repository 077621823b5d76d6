// A kiosk as the authority tests need one: its keys, registration with a token, and requests
// signed exactly as the protocol says (or deliberately not), sent with fetch over loopback.

import { apiPaths, RegisterKioskResponse, type AuthorityPublicKeys } from '../../../protocol/api.js';
import { formatEnrollmentNumber } from '../../../protocol/enrollment-number.js';
import { signRequest } from '../../../protocol/http-signature.js';
import { decodePublicKey, encodePublicKey } from '../../../protocol/keys.js';
import { newKioskKeys, sealSample, type SampleRecord, type SealingKiosk } from '../../unit/authority/sealing-fixtures.js';

export interface SendOptions {
  /** The kiosk's clock for the signature. */
  now?: Date;
  /** Send without signature headers. */
  unsigned?: boolean;
  /** Change the signed headers before sending. */
  alter?(headers: Record<string, string>): Record<string, string>;
}

export interface Reply {
  status: number;
  body: Record<string, unknown> & { code?: string };
  /** The headers that were sent, for replaying the request. */
  sent: Record<string, string>;
}

export class TestKiosk {
  constructor(
    readonly baseUrl: string,
    readonly keys: SealingKiosk,
    readonly pinned: AuthorityPublicKeys,
    private readonly clock: () => Date,
    /** The kiosk code the authority gave at registration. */
    readonly code = 'ZZZZ',
  ) {}

  static async register(baseUrl: string, token: string, clock: () => Date, name = 'Kiosk Hall A'): Promise<TestKiosk> {
    const keys = newKioskKeys();
    const response = await fetch(`${baseUrl}${apiPaths.kiosks}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, name, signingPublicKey: encodePublicKey(keys.signing.publicKey), sealingPublicKey: encodePublicKey(keys.sealing.publicKey) }),
    });
    if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
    const registered = RegisterKioskResponse.parse(await response.json());
    return new TestKiosk(baseUrl, { ...keys, id: registered.kioskId }, registered.authority, clock, registered.code);
  }

  get authoritySigningKey() {
    return decodePublicKey('ed25519', this.pinned.signingPublicKey);
  }

  get authoritySealingKey() {
    return decodePublicKey('x25519', this.pinned.sealingPublicKey);
  }

  /** This kiosk's enrollment number `sequence` of 1 March 2025 (or of `day`, YYMMDD). */
  number(sequence: number, day = '250301'): string {
    return formatEnrollmentNumber({ kioskCode: this.code, day, sequence });
  }

  seal(sample: SampleRecord = {}) {
    return sealSample(this.keys, this.authoritySealingKey, sample);
  }

  signedHeaders(method: string, path: string, body: Uint8Array, now = this.clock()): Record<string, string> {
    return { ...signRequest({ method, path, body, keyId: this.keys.id, privateKey: this.keys.signing.privateKey, now }) };
  }

  /** Sends a request; a Uint8Array body goes as octet-stream, anything else as JSON. */
  async send(method: string, path: string, body?: Uint8Array | object, options: SendOptions = {}): Promise<Reply> {
    const bytes = body === undefined ? new Uint8Array() : body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    const signed = options.unsigned ? {} : this.signedHeaders(method, path, bytes, options.now);
    const sent = {
      ...(body === undefined ? {} : { 'content-type': body instanceof Uint8Array ? 'application/octet-stream' : 'application/json' }),
      ...(options.alter ? options.alter(signed) : signed),
    };
    return this.sendRaw(method, path, bytes, sent);
  }

  /** Sends exactly these headers and bytes (for replays and forgeries). */
  async sendRaw(method: string, path: string, bytes: Uint8Array, headers: Record<string, string>): Promise<Reply> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: bytes.length > 0 ? new Uint8Array(bytes) : undefined });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : JSON.parse(text), sent: headers };
  }
}
