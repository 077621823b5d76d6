// Record intake, shared by single uploads, completed chunked uploads and bundle import: the
// envelope must name this record and this kiosk, carry (if any) an enrollment number of this
// kiosk's code that no other record holds, open with the authority key and verify with the kiosk
// key; its envelope is then put in the envelope store under its digest and, after that, its row
// stored once, forever, under its kiosk and record id with a signed receipt, and logged as
// `received` (a crash in between leaves an envelope no record names, never a record without one). Record ids are the kiosk's own: another kiosk's ids do not exist for it.
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import type { RecordStored } from '../protocol/api.js';
import { parseEnrollmentNumber } from '../protocol/enrollment-number.js';
import { decodePublicKey } from '../protocol/keys.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { signReceipt } from '../protocol/receipt.js';
import { readSealedHeader, verifySealedRecord } from '../protocol/sealed-record.js';
import { sha256Hex } from '../protocol/wire-fields.js';
import type { EnvelopeSource } from './envelopes/envelope-store.js';
import type { KioskRow, RecordRow } from './store/repository.js';

export interface Intake {
  /** False when the record was already held with this digest: `stored` then carries the original receipt. */
  created: boolean;
  stored: RecordStored;
}

const storedOf = (row: RecordRow): RecordStored => ({ status: 'stored', recordId: row.recordId, digest: row.digest, receipt: row.receipt });

function conflict(recordId: string, digest: string): AuthorityError {
  return new AuthorityError(422, 'RECORD_CONFLICT',
    `Record ${recordId} is already held with different content; a record id is never reused, so this upload is refused.`,
    { recordId, digest });
}

/** Runs a protocol step; an envelope it refuses becomes the 422 the kiosk gets, code and all. */
function envelopeStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ProtocolError) throw new AuthorityError(422, error.code, error.message, error.details);
    throw error;
  }
}

/** The kiosk's record held under `recordId` with `digest`; undefined when none is; RECORD_CONFLICT when another is. */
export async function heldRecord(authority: Authority, kiosk: KioskRow, recordId: string, digest: string): Promise<RecordStored | undefined> {
  const held = await authority.repository.findRecord(kiosk.id, recordId);
  if (held === undefined) return undefined;
  if (held.digest !== digest) throw conflict(recordId, digest);
  return storedOf(held);
}

/**
 * Takes `envelope` in as record `recordId` of `kiosk`. `stored` is what the envelope store writes:
 * the envelope itself, or (for a completed chunked upload) the upload's chunks read one at a time,
 * so a large record is not copied again in memory to be stored.
 */
export async function acceptEnvelope(
  authority: Authority, kiosk: KioskRow, recordId: string, envelope: Uint8Array, stored: EnvelopeSource = envelope,
): Promise<Intake> {
  const header = envelopeStep(() => readSealedHeader(envelope));
  if (header.recordId !== recordId) {
    throw new AuthorityError(422, 'RECORD_ID_MISMATCH', `The envelope is sealed as record ${header.recordId}, not ${recordId}.`,
      { recordId, sealedAs: header.recordId });
  }
  if (header.kioskId !== kiosk.id) {
    throw new AuthorityError(422, 'ENVELOPE_KIOSK_MISMATCH', `The envelope is sealed by kiosk ${header.kioskId}, not by the kiosk sending it.`,
      { recordId, sealedBy: header.kioskId });
  }
  const number = header.number ?? null;
  if (number !== null) refuseForeignNumber(kiosk, recordId, number);
  const digest = sha256Hex(envelope);
  const held = await heldRecord(authority, kiosk, recordId, digest);
  if (held !== undefined) return { created: false, stored: held };
  // Sealed to any key generation this authority holds (during a rotation, kiosks seal to either).
  const sealingKey = (await authority.keys.sealingKeyFor(header.sealedTo)) ?? authority.keys.sealing.privateKey;
  envelopeStep(() => verifySealedRecord(envelope, {
    authoritySealingPrivateKey: sealingKey,
    kioskSigningPublicKey: decodePublicKey('ed25519', kiosk.signingPublicKey),
  }));
  const receivedAt = nowIso(authority);
  const receipt = signReceipt({ recordId, digest, kioskId: kiosk.id, receivedAt }, authority.keys.signing.privateKey);
  const row: RecordRow = {
    recordId, kioskId: kiosk.id, digest, size: envelope.length, kind: header.kind, createdAt: header.createdAt, receivedAt, number, receipt,
  };
  await authority.envelopes.put(digest, stored);
  const outcome = await authority.repository.storeRecord(row);
  if (outcome === 'number-taken') {
    throw new AuthorityError(422, 'RECORD_NUMBER_TAKEN',
      `Enrollment number ${number} is already held for another record; the kiosk gave one number twice, so record ${recordId} is refused.`,
      { recordId, number });
  }
  const { row: holder, created } = outcome;
  if (holder.digest !== digest) throw conflict(recordId, digest);
  return { created, stored: storedOf(holder) };
}

/** A kiosk numbers its records with its own code only: the code is what makes numbers unique across kiosks. */
function refuseForeignNumber(kiosk: KioskRow, recordId: string, number: string): void {
  const parsed = parseEnrollmentNumber(number);
  const code = parsed.ok ? parsed.parts.kioskCode : undefined;
  if (code !== kiosk.code) {
    throw new AuthorityError(422, 'RECORD_NUMBER_FOREIGN',
      `Record ${recordId} carries enrollment number ${number}, which is not of this kiosk's code ${kiosk.code}; check the kiosk code the kiosk was given at registration.`,
      { recordId, number, kioskCode: kiosk.code });
  }
}

/** What the authority holds under `recordId` for this kiosk (another kiosk's records do not exist for it). */
export async function recordStatus(authority: Authority, kiosk: KioskRow, recordId: string): Promise<RecordStored> {
  const held = await authority.repository.findRecord(kiosk.id, recordId);
  if (held === undefined) {
    throw new AuthorityError(404, 'RECORD_NOT_FOUND', `The authority holds no record ${recordId} from this kiosk.`, { recordId });
  }
  return storedOf(held);
}
