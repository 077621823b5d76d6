// The documents the authority publishes to its kiosks (station configuration, operator list):
// each is verified against the authority key it names (pinned, replaced or announced) and kept
// only if its version is higher than the one held, so a replayed older document changes nothing.
// A station configuration may announce the authority's next keys; once they have taken over, the
// kiosk pins them (and audits that it did).
import { AuthorityNextKeys, NEXT_KEYS_SETTING } from '../../protocol/key-rotation.js';
import { operatorListDocument, stationConfigDocument, type StationConfig } from '../../protocol/station-documents.js';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import { adoptAnnouncedKeys, type KioskCredentials } from '../provisioning/kiosk-credentials.js';
import { RetentionHours } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { getSetting, SettingKeys } from '../store/settings.js';

export type AuthorityDocumentKind = 'station-config' | 'operators';

const KINDS = { 'station-config': stationConfigDocument, operators: operatorListDocument } as const;

/**
 * Verifies `document` as `kind` and keeps it when newer than the one held; returns the version
 * now held. A document that fails verification is refused (AUTHORITY_DOCUMENT_INVALID).
 */
export function acceptAuthorityDocument(db: Db, credentials: KioskCredentials, kind: AuthorityDocumentKind, document: unknown, now: Date): number {
  const checked = KINDS[kind].verify(document, credentials.authorityKeyFor(document));
  if (!checked.ok) {
    throw new GatehouseError('AUTHORITY_DOCUMENT_INVALID', `The ${kind} from the authority was refused: ${checked.message}`, { kind, reason: checked.code });
  }
  const { version } = checked.document;
  return db.transaction(() => {
    db.prepare(`INSERT INTO authority_documents (kind, version, document, verified_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind) DO UPDATE SET version = excluded.version, document = excluded.document, verified_at = excluded.verified_at
                WHERE excluded.version > authority_documents.version`)
      .run(kind, version, JSON.stringify(checked.document), now.toISOString());
    const next = announcedKeys(db);
    const adopted = next === null ? null : adoptAnnouncedKeys(db, next, now);
    if (next !== null && adopted !== null) {
      appendAudit(db, {
        actor: 'sync', action: 'provisioning.authority-keys-adopted', at: now,
        details: { signingKeyId: next.signingKeyId, sealingKeyId: next.sealingKeyId, replacedSigningKeyId: adopted.replaced, takesOverAt: next.takesOverAt },
      });
    }
    return heldVersion(db, kind)!;
  }).immediate();
}

/** The next authority keys the held station configuration announces, or null; refused (AUTHORITY_DOCUMENT_INVALID) when malformed. */
export function announcedKeys(db: Db): AuthorityNextKeys | null {
  const announced = heldStationConfig(db)?.settings[NEXT_KEYS_SETTING];
  if (announced === undefined) return null;
  const parsed = AuthorityNextKeys.safeParse(announced);
  if (!parsed.success) {
    throw new GatehouseError('AUTHORITY_DOCUMENT_INVALID', `The next authority keys the station configuration announces are malformed: ${parsed.error.issues[0]?.message}.`,
      { kind: 'station-config', reason: 'NEXT_KEYS_MALFORMED' });
  }
  return parsed.data;
}

export function heldVersion(db: Db, kind: AuthorityDocumentKind): number | null {
  const row = db.prepare('SELECT version FROM authority_documents WHERE kind = ?').get(kind) as { version: number } | undefined;
  return row?.version ?? null;
}

/** The station configuration held (verified when it arrived), or null. */
export function heldStationConfig(db: Db): StationConfig | null {
  const row = db.prepare("SELECT document FROM authority_documents WHERE kind = 'station-config'").get() as { document: string } | undefined;
  return row === undefined ? null : (JSON.parse(row.document) as StationConfig);
}

/** The retention the authority's station configuration sets (`sealedRetentionHours`), or null when it sets none it may. */
export function authorityRetentionHours(db: Db): number | null {
  const configured = RetentionHours.safeParse(heldStationConfig(db)?.settings.sealedRetentionHours);
  return configured.success ? configured.data : null;
}

/** The retention after a receipt: the authority's when its station configuration sets one, else the station setting. */
export function retentionMs(db: Db): number {
  const { key, schema, fallback } = SettingKeys.sealedRetentionHours;
  return (authorityRetentionHours(db) ?? getSetting(db, key, schema, fallback)) * 3_600_000;
}
