// What the QR code on an acknowledgement slip carries: the enrollment number, the digest of the
// sealed record, the kiosk and the time, signed with the kiosk's Ed25519 key. Anyone holding
// the kiosk's public key (the authority) can tell a genuine slip from a made-up one, and the
// authority can tell whether it holds that very record. Written as "GHS1:" and the base64url of
// the signed canonical JSON, so a plain QR reader hands it over whole.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { EnrollmentNumber } from './enrollment-number.js';
import type { Checked } from './protocol-error.js';
import { signJson, verifyJson, type SignedJsonRefusal } from './signed-json.js';
import { IsoTime, KioskId, Sha256Hex, SignatureText } from './wire-fields.js';

const CONTEXT = 'gatehouse slip v1';
const PREFIX = 'GHS1:';

export const SlipFields = z.strictObject({
  /** Enrollment number. */
  n: EnrollmentNumber,
  /** SHA-256 (hex) of the sealed record's envelope. */
  d: Sha256Hex,
  /** The kiosk that sealed it. */
  k: KioskId,
  /** When the record was sealed. */
  t: IsoTime,
});
export type SlipFields = z.infer<typeof SlipFields>;
const SignedSlip = SlipFields.extend({ signature: SignatureText });
const withoutSignature = ({ signature: _signature, ...fields }: z.infer<typeof SignedSlip>): SlipFields => fields;

export function signSlip(fields: SlipFields, kioskSigningKey: KeyObject): string {
  return PREFIX + Buffer.from(canonicalJson(signJson(CONTEXT, SlipFields.parse(fields), kioskSigningKey))).toString('base64url');
}

export type SlipRefusal = 'SLIP_MALFORMED' | 'SLIP_SIGNATURE_INVALID';

/** What the slip claims, read without checking the signature (to find the kiosk's key first). */
export function readSlip(text: string): Checked<SlipRefusal, { fields: SlipFields }> {
  const document = decode(text);
  const parsed = SignedSlip.safeParse(document);
  if (!parsed.success) return malformed();
  return { ok: true, fields: withoutSignature(parsed.data) };
}

/** Checks the form and the kiosk's signature. */
export function verifySlip(text: string, kioskPublicKey: KeyObject): Checked<SlipRefusal, { fields: SlipFields }> {
  const checked = verifyJson(CONTEXT, SignedSlip, decode(text), kioskPublicKey);
  if (!checked.ok) return checked.code === ('DOCUMENT_MALFORMED' satisfies SignedJsonRefusal) ? malformed() : { ok: false, code: 'SLIP_SIGNATURE_INVALID', message: 'The slip is not signed by that kiosk, or was changed after it was printed.' };
  return { ok: true, fields: withoutSignature(checked.document) };
}

function decode(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith(PREFIX) || trimmed.length > 2000) return null;
  try {
    return JSON.parse(Buffer.from(trimmed.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

function malformed(): { ok: false; code: 'SLIP_MALFORMED'; message: string } {
  return { ok: false, code: 'SLIP_MALFORMED', message: 'This is not a Gatehouse slip payload (it starts with GHS1: and carries a signed number, digest, kiosk and time).' };
}
