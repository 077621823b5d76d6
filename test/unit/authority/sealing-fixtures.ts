// Keys, sample records and envelope surgery for the authority tests: a kiosk that seals, and the
// tampering a kiosk-key holder could do (altering bytes, swapping header fields) re-signed so
// that the layers below the signature are what refuses it.

import { randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { canonicalJsonBytes } from '../../../protocol/canonical-json.js';
import { generateSealingKeyPair, generateSigningKeyPair, type KeyPair } from '../../../protocol/keys.js';
import { readSealedHeader, sealRecord, type SealedHeader, type SealedRecord } from '../../../protocol/sealed-record.js';

export interface SealingKiosk {
  id: string;
  signing: KeyPair;
  sealing: KeyPair;
}

export const newKioskKeys = (id: string = randomUUID()): SealingKiosk =>
  ({ id, signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() });

export interface SampleRecord {
  recordId?: string;
  partBytes?: number;
  createdAt?: string;
  /** The enrollment number in the header; none when absent. */
  number?: string;
}

/** A person-enrollment record with a portrait and a finger image of `partBytes` random bytes each. */
export function sealSample(kiosk: SealingKiosk, authoritySealingKey: KeyObject, sample: SampleRecord = {}): SealedRecord & { recordId: string } {
  const recordId = sample.recordId ?? randomUUID();
  const partBytes = sample.partBytes ?? 64;
  const sealed = sealRecord({
    recordId,
    kioskId: kiosk.id,
    createdAt: sample.createdAt ?? '2025-03-01T12:00:00.000Z',
    kind: 'person-enrollment',
    ...(sample.number === undefined ? {} : { number: sample.number }),
    json: { person: { surname: 'MUSTERMANN', given: 'ERIKA' }, consent: 'v3' },
    parts: [{ name: 'portrait.jpg', bytes: randomBytes(partBytes) }, { name: 'finger-r1.raw', bytes: randomBytes(partBytes) }],
    authoritySealingPublicKey: authoritySealingKey,
    kioskSigningPrivateKey: kiosk.signing.privateKey,
  });
  return { ...sealed, recordId };
}

/** `bytes` with its trailing Ed25519 signature replaced by a fresh one over the rest. */
export function resign(bytes: Uint8Array, signingKey: KeyObject): Buffer {
  const signed = Buffer.from(bytes.subarray(0, bytes.length - 64));
  return Buffer.concat([signed, sign(null, signed, signingKey)]);
}

/** The envelope with its header changed by `change` and re-signed: only the AEAD can notice. */
export function withHeader(bytes: Uint8Array, change: (header: SealedHeader) => SealedHeader, signingKey: KeyObject): Buffer {
  const buffer = Buffer.from(bytes);
  const headerEnd = 9 + buffer.readUInt32BE(5);
  const header = canonicalJsonBytes(change(readSealedHeader(buffer)));
  const prefix = Buffer.from(buffer.subarray(0, 9));
  prefix.writeUInt32BE(header.length, 5);
  return resign(Buffer.concat([prefix, header, buffer.subarray(headerEnd)]), signingKey);
}
