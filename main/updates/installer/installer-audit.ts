// The installer's events in the kiosk's audit log. The installer runs as root and writes only its
// status file; the kiosk, the audit chain's one writer, appends the events it has not audited yet
// (at start and with each update check), each under the installer's action name with the
// installer's own time and sequence number, so an event is audited once even when the kiosk
// restarts — as it does in the middle of every update — and a failed update the new version never
// lived to audit is audited by the version the installer rolled back to.

import { appendAudit, listAudit } from '../../audit/audit-log.js';
import type { Db } from '../../store/database.js';
import { readInstallerStatus, type InstallerEvent } from './installer-status.js';

/** The actor of the audit entries for the installer's events. */
export const INSTALLER_AUDIT_ACTOR = 'update-installer';

/**
 * Appends the events of the installer's status (`statusFile`, by default the installed kiosk's)
 * that are not audited yet, in one transaction; returns how many. Throws UPDATE_STATUS_UNREADABLE
 * when the status file is damaged (the caller logs it: the kiosk runs on without).
 */
export function auditInstallerEvents(db: Db, statusFile?: string): number {
  const status = readInstallerStatus(statusFile);
  if (status === null) return 0;
  return db.transaction((): number => {
    const [last] = listAudit(db, { actor: INSTALLER_AUDIT_ACTOR, order: 'newest-first', limit: 1 });
    // A new status file (its state folder purged and made again) numbers its events afresh.
    const audited = last?.details.journal === status.journalId ? Number(last.details.journalSeq) : 0;
    const pending = status.events.filter((event) => event.seq > audited);
    for (const event of pending) appendAudit(db, { actor: INSTALLER_AUDIT_ACTOR, action: event.action, details: auditDetails(status.journalId, event) });
    return pending.length;
  }).immediate();
}

function auditDetails(journal: string, event: InstallerEvent): Record<string, unknown> {
  const facts = { attemptId: event.attemptId, from: event.from, to: event.to, phase: event.phase, code: event.code };
  return { journal, journalSeq: event.seq, occurredAt: event.at, ...Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) };
}
