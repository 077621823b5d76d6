// What the authority says became of this kiosk's records (received, in review, accepted,
// rejected with a reason), pulled page by page after the last change the kiosk applied. Each
// page is verified against the pinned authority key before anything is kept; a page for another
// kiosk or another starting point is refused.
import { recordStatusDocument } from '../../protocol/record-status.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import type { AuthorityClient } from './authority-client.js';

/** At most this many pages per round, so one round stays short; the rest comes next round. */
const MAX_PAGES_PER_ROUND = 20;

export function statusCursor(db: Db): number {
  return (db.prepare('SELECT after FROM record_status_cursor WHERE singleton = 1').get() as { after: number } | undefined)?.after ?? 0;
}

/** Pulls and applies status changes; returns how many were applied. */
export async function pullRecordStatus(db: Db, client: AuthorityClient, credentials: KioskCredentials): Promise<number> {
  let applied = 0;
  for (let page = 0; page < MAX_PAGES_PER_ROUND; page += 1) {
    const after = statusCursor(db);
    const page = await client.recordStatusPage(after);
    const checked = recordStatusDocument.verify(page, credentials.authorityKeyFor(page));
    if (!checked.ok) {
      throw new GatehouseError('AUTHORITY_DOCUMENT_INVALID', `The record status from the authority was refused: ${checked.message}`,
        { kind: 'record-status', reason: checked.code });
    }
    const { document } = checked;
    if (document.kioskId !== credentials.identity.kioskId || document.after !== after || document.next < after) {
      throw new GatehouseError('AUTHORITY_DOCUMENT_INVALID', 'The record status from the authority is for another kiosk or another point in its log.',
        { kind: 'record-status', reason: 'STATUS_PAGE_MISMATCH' });
    }
    db.transaction(() => {
      const update = db.prepare('UPDATE outbox SET authority_state = ?, authority_reason = ?, authority_state_at = ? WHERE record_id = ?');
      for (const change of document.changes) update.run(change.state, change.reason, change.at, change.recordId);
      db.prepare(`INSERT INTO record_status_cursor (singleton, after) VALUES (1, ?)
                  ON CONFLICT (singleton) DO UPDATE SET after = excluded.after`).run(document.next);
    }).immediate();
    applied += document.changes.length;
    if (!document.more) break;
  }
  return applied;
}
