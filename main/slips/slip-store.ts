// The acknowledgement slips the kiosk keeps so that staff can print one again: each sealed for
// the kiosk alone (it names the person), written in the transaction that seals its record, and
// dropped together with the record's envelope once the authority's receipt is past retention.
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import { openForKiosk, sealForKiosk } from '../provisioning/kiosk-sealed.js';
import type { Db } from '../store/database.js';
import { SlipContent } from './slip-content.js';

const SLIP_KIND = 'acknowledgement-slip';

/** Keeps `slip` for its record; call inside the sealing transaction. */
export function keepSlip(db: Db, credentials: KioskCredentials, slip: SlipContent, now: Date): void {
  const envelope = sealForKiosk(credentials, { id: slip.recordId, kind: SLIP_KIND, json: slip, parts: [] }, now);
  db.prepare('INSERT INTO slips (record_id, envelope) VALUES (?, ?)').run(slip.recordId, envelope);
}

/** The slip kept for `recordId`; SLIP_NOT_KEPT once it is gone (retention) or when there never was one. */
export function readKeptSlip(db: Db, credentials: KioskCredentials, recordId: string): SlipContent {
  const row = db.prepare('SELECT envelope FROM slips WHERE record_id = ?').get(recordId) as { envelope: Buffer } | undefined;
  if (!row) {
    throw new GatehouseError('SLIP_NOT_KEPT', 'The slip of this record is no longer kept on this kiosk (it is deleted after the authority confirmed the record).',
      { recordId });
  }
  return SlipContent.parse(openForKiosk(credentials, row.envelope, SLIP_KIND, recordId).json);
}

/** Whether a slip is still kept for each of `recordIds`. */
export function keptSlips(db: Db, recordIds: readonly string[]): Set<string> {
  const kept = db.prepare('SELECT 1 FROM slips WHERE record_id = ?');
  return new Set(recordIds.filter((id) => kept.get(id) !== undefined));
}
