// The hash-chained audit log: each entry's hash covers its fields and the previous entry's
// hash, so a changed or removed entry breaks the chain. Details never carry personal data.
import { createHash } from 'node:crypto';
import { GatehouseError } from '../errors.js';
import { canonicalJson } from '../../protocol/canonical-json.js';
import type { Db } from '../store/database.js';

export type AuditEntry = {
  seq: number;
  at: string;
  actor: string | null;
  action: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

export type NewAuditEntry = {
  actor: string | null;
  action: string;
  details?: Record<string, unknown>;
  at?: Date;
};

export type AuditHead = { seq: number; hash: string };

/** The prevHash of entry 1. */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/** The longest string audit details may hold: room for names and reasons, not for payloads. */
const AUDIT_MAX_STRING_LENGTH = 256;

/** sha256 (hex) of the canonical JSON of an entry's fields and its predecessor's hash. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash' | 'details'> & { details: unknown }): string {
  const { seq, at, actor, action, details, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, action, details, prevHash })).digest('hex');
}

/**
 * Appends an entry after the current head. Runs inside the caller's transaction when there
 * is one (as a savepoint), so a state change and its audit entry commit together.
 */
export function appendAudit(db: Db, entry: NewAuditEntry): AuditEntry {
  const details = entry.details ?? {};
  assertAuditSafe(details);
  const detailsJson = canonicalJson(details);
  const at = (entry.at ?? new Date()).toISOString();
  return db.transaction((): AuditEntry => {
    const head = auditHead(db);
    const fields = {
      seq: (head?.seq ?? 0) + 1,
      at,
      actor: entry.actor,
      action: entry.action,
      details: JSON.parse(detailsJson) as Record<string, unknown>,
      prevHash: head?.hash ?? GENESIS_PREV_HASH,
    };
    const hash = auditEntryHash(fields);
    db.prepare('INSERT INTO audit (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      fields.seq,
      at,
      fields.actor,
      fields.action,
      detailsJson,
      fields.prevHash,
      hash,
    );
    return { ...fields, hash };
  }).immediate();
}

export interface AuditQuery {
  /** Oldest first (the default): entries after this sequence number. */
  afterSeq?: number;
  /** Newest first: entries before this sequence number; absent: from the newest. */
  beforeSeq?: number;
  order?: 'oldest-first' | 'newest-first';
  limit?: number;
  /** Entries by this operator (actor `operator:N`) or about them (`details.operatorId`). */
  operatorId?: number;
  /** Entries by this actor exactly. */
  actor?: string;
  /** This action, or, ending with ".", every action that starts so. */
  action?: string;
}

/** Entries in sequence order after `afterSeq`, or newest first before `beforeSeq`, that pass the filters. */
export function listAudit(db: Db, query: AuditQuery = {}): AuditEntry[] {
  const { afterSeq = 0, beforeSeq, order = 'oldest-first', limit = 100, operatorId, actor, action } = query;
  const where: string[] = [];
  const params: Array<string | number> = [];
  const add = (condition: string, ...values: Array<string | number>) => {
    where.push(condition);
    params.push(...values);
  };
  if (order === 'oldest-first') add('seq > ?', afterSeq);
  else if (beforeSeq !== undefined) add('seq < ?', beforeSeq);
  if (operatorId !== undefined) add(`(actor = ? OR json_extract(details, '$.operatorId') = ?)`, `operator:${operatorId}`, operatorId);
  if (actor !== undefined) add('actor = ?', actor);
  if (action?.endsWith('.')) add('substr(action, 1, ?) = ?', action.length, action);
  else if (action !== undefined) add('action = ?', action);
  const rows = db.prepare(`SELECT seq, at, actor, action, details, prev_hash, hash FROM audit
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY seq ${order === 'oldest-first' ? 'ASC' : 'DESC'} LIMIT ?`).all(...params, limit) as AuditRow[];
  return rows.map(decodeAuditRow);
}

/** Every action the log holds, in name order. */
export function auditActions(db: Db): string[] {
  return (db.prepare('SELECT DISTINCT action FROM audit ORDER BY action').all() as Array<{ action: string }>).map((row) => row.action);
}

/** The last entry's sequence number and hash, or null for an empty log. */
export function auditHead(db: Db): AuditHead | null {
  const head = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
  return head ?? null;
}

/** An audit row as SQLite returns it. */
export type AuditRow = {
  seq: number;
  at: string;
  actor: string | null;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
};

function decodeAuditRow(row: AuditRow): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    throw new GatehouseError(
      'AUDIT_UNDECODABLE',
      `Audit entry ${row.seq} (${row.action} at ${row.at}) has details that are not JSON; the log was altered. Run audit verification and report it.`,
      { seq: row.seq },
    );
  }
  return { seq: row.seq, at: row.at, actor: row.actor, action: row.action, details, prevHash: row.prev_hash, hash: row.hash };
}

// Names that suggest secrets, biometrics or document numbers. Matched against the key with
// separators removed; 'pin' and 'face' only as whole words, so 'mapping' and 'interface' pass.
const UNSAFE_KEY_PARTS = /password|passcode|passphrase|secret|mrz|finger|template|portrait|photo|image|biometric|selfie|(document|doc|passport|id)(number|no$)/;
const UNSAFE_KEY_WORD = /^(pin|pincode|pinhash|face)s?$/;

/**
 * Refuses audit details that could carry biometric data, document numbers or secrets:
 * suspicious key names, byte arrays, and strings longer than AUDIT_MAX_STRING_LENGTH.
 * Also refuses values JSON cannot represent faithfully (Dates, Maps, bigints, NaN …).
 */
export function assertAuditSafe(details: Record<string, unknown>): void {
  checkValue(details, 'details');
}

function checkValue(value: unknown, path: string): void {
  if (value === null || typeof value === 'boolean' || value === undefined) return;
  if (typeof value === 'string') {
    if (value.length > AUDIT_MAX_STRING_LENGTH) {
      throw unsafe(path, `is a string of ${value.length} characters (at most ${AUDIT_MAX_STRING_LENGTH}); audit details hold names and reasons, not payloads`);
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson(path, `non-finite number (${value})`);
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw unsafe(path, 'holds binary data; audit details must never carry images, templates or other bytes');
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, `${path}[${index}]`));
    return;
  }
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = `${path}.${key}`;
      if (isUnsafeKey(key)) {
        throw unsafe(keyPath, 'is named like a secret, biometric or document number, which the audit log must never hold');
      }
      checkValue(item, keyPath);
    }
    return;
  }
  throw notJson(path, typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value);
}

function isUnsafeKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z]{2,})/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  return words.some((word) => UNSAFE_KEY_WORD.test(word)) || UNSAFE_KEY_PARTS.test(words.join(''));
}

function unsafe(path: string, problem: string): GatehouseError {
  return new GatehouseError('AUDIT_UNSAFE_DETAILS', `Audit ${path} ${problem}.`, { path });
}

function notJson(path: string, kind: string): GatehouseError {
  return new GatehouseError('AUDIT_DETAILS_NOT_JSON', `Audit ${path} is a ${kind}; audit details must be plain JSON (strings, finite numbers, booleans, null, arrays, plain objects).`, { path });
}
