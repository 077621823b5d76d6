// The station configuration and operator list the authority publishes: each publication is a
// new version signed with the authority key and kept; kiosks download the latest. Version 1 of
// each (empty) is published when the authority first starts, so a kiosk always finds one.
import { z } from 'zod';
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import {
  OperatorEntry, operatorListDocument, stationConfigDocument, type OperatorList, type StationConfig,
} from '../protocol/station-documents.js';
import type { PublishedKind } from './store/repository.js';

export const StationSettings = z.record(z.string().min(1).max(100), z.json());
export const Operators = z.array(OperatorEntry).max(10_000);

type Content = { kind: 'station-config'; settings: z.infer<typeof StationSettings> } | { kind: 'operators'; operators: z.infer<typeof Operators> };

export async function publish(authority: Authority, content: Content): Promise<StationConfig | OperatorList> {
  const latest = await authority.repository.latestPublished(content.kind);
  const fields = { version: (latest?.version ?? 0) + 1, issuedAt: nowIso(authority) };
  const document = content.kind === 'station-config'
    ? stationConfigDocument.sign({ ...fields, settings: content.settings }, authority.keys.signing.privateKey)
    : operatorListDocument.sign({ ...fields, operators: content.operators }, authority.keys.signing.privateKey);
  const added = await authority.repository.publish({ kind: content.kind, version: fields.version, document, publishedAt: fields.issuedAt });
  if (!added) {
    throw new AuthorityError(409, 'PUBLISH_CONFLICT', `Version ${fields.version} of the ${content.kind} was published at the same moment by someone else; publish again.`);
  }
  return document;
}

/** The latest signed version of `kind`. */
export async function latestDocument(authority: Authority, kind: PublishedKind): Promise<unknown> {
  const latest = await authority.repository.latestPublished(kind);
  if (latest === undefined) throw new AuthorityError(404, 'NOT_PUBLISHED', `No ${kind} has been published yet.`);
  return latest.document;
}

export async function ensurePublished(authority: Authority): Promise<void> {
  if (!(await authority.repository.latestPublished('station-config'))) await publish(authority, { kind: 'station-config', settings: {} });
  if (!(await authority.repository.latestPublished('operators'))) await publish(authority, { kind: 'operators', operators: [] });
}
