// What becomes of a record at the authority: it is received at intake, an operator may take it
// into review and accepts or rejects it (with a reason) by its enrollment number, and the kiosk
// that sent it pages through the changes of its own records, signed by the authority. The rule of
// decisions is one table: a record that was accepted or rejected may be decided again the other
// way (a correction, kept in its history) but never goes back to review, and nothing returns to
// `received`.
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import { parseEnrollmentNumber } from '../protocol/enrollment-number.js';
import { recordStatusDocument, type ProcessingState, type RecordStatusPage } from '../protocol/record-status.js';
import type { KioskRow, RecordRow, StatusChangeRow } from './store/repository.js';

export const DECISIONS = ['in-review', 'accepted', 'rejected'] as const;
export type Decision = (typeof DECISIONS)[number];

/** The decisions an operator may take on a record in each state. */
const ALLOWED: Record<ProcessingState, readonly Decision[]> = {
  received: ['in-review', 'accepted', 'rejected'],
  'in-review': ['in-review', 'accepted', 'rejected'],
  accepted: ['accepted', 'rejected'],
  rejected: ['accepted', 'rejected'],
};

/** The longest reason a decision may carry (the status page's limit). */
export const MAX_REASON_LENGTH = 500;

/** Why `decision` may not follow `current`; undefined when it may. */
export function decisionRefusal(current: ProcessingState, decision: Decision): string | undefined {
  if (ALLOWED[current].includes(decision)) return undefined;
  return `The record is ${current}; a decided record can be decided again (accepted or rejected) but never goes back to ${decision}.`;
}

export interface RecordProcessingStatus {
  number: string;
  recordId: string;
  kioskId: string;
  kioskCode: string;
  kioskName: string;
  kind: string;
  receivedAt: string;
  state: ProcessingState;
  reason: string | null;
  /** When the record was last accepted or rejected; null while it is not decided. */
  decidedAt: string | null;
  history: Array<Pick<StatusChangeRow, 'seq' | 'state' | 'reason' | 'at'>>;
}

/** The record a person's typed number names: 400 for a mistyped number, 404 for one not held. */
export async function recordByNumber(authority: Authority, typed: string): Promise<RecordRow & { number: string }> {
  const parsed = parseEnrollmentNumber(typed);
  if (!parsed.ok) throw new AuthorityError(400, parsed.code, parsed.message, { number: typed });
  const record = await authority.repository.findRecordByNumber(parsed.number);
  if (record === undefined) {
    throw new AuthorityError(404, 'RECORD_NUMBER_UNKNOWN',
      `The authority holds no record with enrollment number ${parsed.number}; it may not have been sent yet ("gatehouse-authority records" lists what is held).`,
      { number: parsed.number });
  }
  return { ...record, number: parsed.number };
}

export async function recordProcessingStatus(authority: Authority, typed: string): Promise<RecordProcessingStatus> {
  return statusOf(authority, await recordByNumber(authority, typed));
}

async function statusOf(authority: Authority, record: RecordRow & { number: string }): Promise<RecordProcessingStatus> {
  const kiosk = (await authority.repository.findKiosk(record.kioskId))!;
  const history = await authority.repository.statusHistory(record.kioskId, record.recordId);
  const latest = history.at(-1)!;
  return {
    number: record.number,
    recordId: record.recordId,
    kioskId: kiosk.id,
    kioskCode: kiosk.code,
    kioskName: kiosk.name,
    kind: record.kind,
    receivedAt: record.receivedAt,
    state: latest.state,
    reason: latest.reason,
    decidedAt: latest.state === 'accepted' || latest.state === 'rejected' ? latest.at : null,
    history: history.map(({ seq, state, reason, at }) => ({ seq, state, reason, at })),
  };
}

/** The reason as it will be logged: trimmed, null when empty; refused where the decision takes none or needs one. */
function reasonFor(decision: Decision, reason: string | undefined): string | null {
  const trimmed = reason?.trim() || null;
  if (decision === 'rejected' && trimmed === null) {
    throw new AuthorityError(400, 'DECISION_REASON_REQUIRED', 'A rejection needs a reason the kiosk can show: --reason TEXT.');
  }
  if (decision === 'accepted' && trimmed !== null) {
    throw new AuthorityError(400, 'DECISION_REASON_UNEXPECTED', 'An acceptance carries no reason; leave out --reason.');
  }
  if (trimmed !== null && trimmed.length > MAX_REASON_LENGTH) {
    throw new AuthorityError(400, 'DECISION_REASON_TOO_LONG', `A reason is at most ${MAX_REASON_LENGTH} characters; this one has ${trimmed.length}.`,
      { length: trimmed.length, limit: MAX_REASON_LENGTH });
  }
  return trimmed;
}

/**
 * Logs `decision` on the record with number `typed`. The same state with the same reason again
 * changes nothing (`changed: false`), so a repeated command is harmless.
 */
export async function decideRecord(
  authority: Authority, typed: string, decision: Decision, reason?: string,
): Promise<{ changed: boolean; status: RecordProcessingStatus }> {
  const logged = reasonFor(decision, reason);
  const record = await recordByNumber(authority, typed);
  const history = await authority.repository.statusHistory(record.kioskId, record.recordId);
  const latest = history.at(-1)!;
  if (latest.state === decision && latest.reason === logged) return { changed: false, status: await statusOf(authority, record) };
  const refusal = decisionRefusal(latest.state, decision);
  if (refusal !== undefined) {
    throw new AuthorityError(409, 'DECISION_NOT_ALLOWED', refusal, { number: record.number, state: latest.state, decision });
  }
  const change = { recordId: record.recordId, kioskId: record.kioskId, state: decision, reason: logged, at: nowIso(authority) };
  if ((await authority.repository.appendStatusChange(change, latest.seq)) === undefined) {
    throw new AuthorityError(409, 'DECISION_CONFLICT',
      `Record ${record.number} was decided by someone else at the same moment; look at "gatehouse-authority status ${record.number}" and decide again.`,
      { number: record.number });
  }
  return { changed: true, status: await statusOf(authority, record) };
}

/** One signed page of the changes of `kiosk`'s records after seq `after`, oldest first. */
export async function recordStatusPage(authority: Authority, kiosk: KioskRow, after: number): Promise<RecordStatusPage> {
  const size = authority.limits.statusPageSize;
  const rows = await authority.repository.statusChangesForKiosk(kiosk.id, after, size + 1);
  const changes = rows.slice(0, size).map(({ seq, recordId, number, state, reason, at }) => ({ seq, recordId, number, state, reason, at }));
  return recordStatusDocument.sign({
    kioskId: kiosk.id,
    after,
    changes,
    next: changes.at(-1)?.seq ?? after,
    more: rows.length > size,
    issuedAt: nowIso(authority),
  }, authority.keys.signing.privateKey);
}
