// Sealing an approved record: its canonical JSON and binary parts (portraits, finger images,
// templates) encrypted to the authority key in use at sealing time (the pinned one, or the one
// announced in a key rotation once it has taken over) and signed by the kiosk key, then written
// with its outbox row, audit entry and the sync round that delivers it in one transaction. After
// the commit the kiosk holds only ciphertext; the content key existed in memory for the length of
// one call.
import { randomUUID } from 'node:crypto';
import { sealRecord, type RecordPart, type SealedRecord } from '../../protocol/sealed-record.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { nextEnrollmentNumber } from '../store/enrollment-numbers.js';
import { enqueueSealed, type QueuedRecord } from '../store/outbox.js';
import { requestSyncRound } from './sync-round-job.js';

export type { RecordPart };

export interface EnrollmentRecord {
  /** What the authority files it as, e.g. "person-enrollment", "company-registration". */
  kind: string;
  /** The enrollment it closes; null for records made outside an enrollment (synthetic load). */
  enrollmentId: string | null;
  /** The record's JSON part: document fields, form details, consent version, face verdict … (an enrollment's gets its number when sealed). */
  json: Record<string, unknown>;
  /** Binary parts by unique name: "portrait-document.jpg", "finger-2.iso", "template-2.bin" … */
  parts: readonly RecordPart[];
}

export interface SealedEnrollmentRecord {
  recordId: string;
  enrollmentId: string | null;
  /** The enrollment number the person is given; null for records that are no enrollment. */
  number: string | null;
  createdAt: string;
  envelope: SealedRecord;
}

/** Encrypts and signs `record` (with its number, if it has one) under a fresh record id; no disk, no database. */
export function sealEnrollmentRecord(credentials: KioskCredentials, record: EnrollmentRecord, number: string | null, now: Date): SealedEnrollmentRecord {
  const recordId = randomUUID();
  const createdAt = now.toISOString();
  let envelope: SealedRecord;
  try {
    envelope = sealRecord({
      recordId,
      kioskId: credentials.identity.kioskId,
      createdAt,
      kind: record.kind,
      ...(number === null ? {} : { number }),
      json: number === null ? record.json : { ...record.json, number },
      parts: record.parts,
      authoritySealingPublicKey: credentials.authoritySealingKeyAt(now),
      kioskSigningPrivateKey: credentials.keys.signing.privateKey,
    });
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new GatehouseError('RECORD_NOT_SEALABLE', `The record cannot be sealed: ${error.message}`, { reason: error.code });
  }
  return { recordId, enrollmentId: record.enrollmentId, number, createdAt, envelope };
}

/**
 * Seals `record` and queues it: an enrollment's number, the envelope, the outbox row, the
 * `record.sealed` audit entry and a `sync.round` job (which wakes the kiosk's job runner once
 * committed) in one transaction (synchronous=FULL), so the officer is told
 * "saved" only after the commit. Called inside a caller's transaction (an RPC procedure's
 * ctx.commit, as the enrollment workflow's approval does) it joins it as a savepoint: the
 * procedure's own audit entry, the enrollment's new state and the sealed record then commit
 * or roll back together.
 */
export function approveAndSeal(
  db: Db, credentials: KioskCredentials, record: EnrollmentRecord, actor: string, now: Date = new Date(),
): QueuedRecord {
  return db.transaction(() => {
    const number = record.enrollmentId === null ? null : nextEnrollmentNumber(db, kioskCodeOf(credentials), now);
    const queued = enqueueSealed(db, sealEnrollmentRecord(credentials, record, number, now));
    // Ids, sizes and the number only: never content.
    appendAudit(db, { actor, action: 'record.sealed', details: { recordId: queued.recordId, kind: record.kind, size: queued.size, number }, at: now });
    requestSyncRound(db, { now });
    return queued;
  }).immediate();
}

/** The kiosk's code from the authority; a kiosk registered before codes existed must register again. */
function kioskCodeOf(credentials: KioskCredentials): string {
  const { code } = credentials.identity;
  if (code === null) {
    throw new GatehouseError('KIOSK_CODE_MISSING', 'This kiosk was registered before kiosks had codes, so it cannot number enrollments; a technician must provision it again.');
  }
  return code;
}
