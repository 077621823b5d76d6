// Sealing an approved record: its canonical JSON and binary parts (portraits, finger images,
// templates) encrypted to the pinned authority key and signed by the kiosk key, then written
// with its outbox row and audit entry in one transaction. After the commit the kiosk holds only
// ciphertext; the content key existed in memory for the length of one call.
import { randomUUID } from 'node:crypto';
import { sealRecord, type RecordPart, type SealedRecord } from '../../authority/protocol/sealed-record.js';
import { ProtocolError } from '../../authority/protocol/protocol-error.js';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { enqueueSealed, type QueuedRecord } from '../store/outbox.js';

export type { RecordPart };

export interface EnrollmentRecord {
  /** What the authority files it as, e.g. "person-enrollment", "company-registration". */
  kind: string;
  /** The enrollment it closes; null for records made outside an enrollment (synthetic load). */
  enrollmentId: string | null;
  /** The record's JSON part: document fields, form details, consent version, face verdict … */
  json: unknown;
  /** Binary parts by unique name: "portrait-document.jpg", "finger-2.iso", "template-2.bin" … */
  parts: readonly RecordPart[];
}

export interface SealedEnrollmentRecord {
  recordId: string;
  enrollmentId: string | null;
  createdAt: string;
  envelope: SealedRecord;
}

/** Encrypts and signs `record` under a fresh record id; no disk, no database. */
export function sealEnrollmentRecord(credentials: KioskCredentials, record: EnrollmentRecord, now: Date): SealedEnrollmentRecord {
  const recordId = randomUUID();
  const createdAt = now.toISOString();
  let envelope: SealedRecord;
  try {
    envelope = sealRecord({
      recordId,
      kioskId: credentials.identity.kioskId,
      createdAt,
      kind: record.kind,
      json: record.json,
      parts: record.parts,
      authoritySealingPublicKey: credentials.authoritySealingKey,
      kioskSigningPrivateKey: credentials.keys.signing.privateKey,
    });
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new GatehouseError('RECORD_NOT_SEALABLE', `The record cannot be sealed: ${error.message}`, { reason: error.code });
  }
  return { recordId, enrollmentId: record.enrollmentId, createdAt, envelope };
}

/**
 * Seals `record` and queues it: envelope, outbox row and `record.sealed` audit entry in one
 * transaction (synchronous=FULL), so the officer is told "saved" only after the commit. Called
 * inside a caller's transaction (an RPC procedure's ctx.commit, as the enrollment workflow's
 * approval does) it joins it as a savepoint: the procedure's own audit entry, the enrollment's
 * new state and the sealed record then commit or roll back together.
 */
export function approveAndSeal(
  db: Db, credentials: KioskCredentials, record: EnrollmentRecord, actor: string, now: Date = new Date(),
): QueuedRecord {
  const sealed = sealEnrollmentRecord(credentials, record, now);
  return db.transaction(() => {
    const queued = enqueueSealed(db, sealed);
    // Ids and sizes only: never content.
    appendAudit(db, { actor, action: 'record.sealed', details: { recordId: queued.recordId, kind: record.kind, size: queued.size }, at: now });
    return queued;
  }).immediate();
}
