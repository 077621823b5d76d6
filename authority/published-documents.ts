// The station configuration and operator list the authority publishes: each publication is a
// new version signed with the authority key and kept; kiosks download the latest. Version 1 of
// each (empty) is published when the authority first starts, so a kiosk always finds one. While a
// key rotation is under way every station configuration announces the next keys (key-rotation.ts).
import { z } from 'zod';
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import {
  OperatorEntry, operatorListDocument, stationConfigDocument, type OperatorList, type StationConfig,
} from '../protocol/station-documents.js';
import { NEXT_KEYS_SETTING } from '../protocol/key-rotation.js';
import type { PublishedKind } from './store/repository.js';

export const StationSettings = z.record(z.string().min(1).max(100), z.json());
export const Operators = z.array(OperatorEntry).max(10_000);

type Content = { kind: 'station-config'; settings: z.infer<typeof StationSettings> } | { kind: 'operators'; operators: z.infer<typeof Operators> };

export async function publish(authority: Authority, content: Content): Promise<StationConfig | OperatorList> {
  const latest = await authority.repository.latestPublished(content.kind);
  const fields = { version: (latest?.version ?? 0) + 1, issuedAt: nowIso(authority) };
  const document = content.kind === 'station-config'
    ? stationConfigDocument.sign({ ...fields, settings: withNextKeys(authority, content.settings) }, authority.keys.signing.privateKey)
    : operatorListDocument.sign({ ...fields, operators: content.operators }, authority.keys.signing.privateKey);
  const added = await authority.repository.publish({ kind: content.kind, version: fields.version, document, publishedAt: fields.issuedAt });
  if (!added) {
    throw new AuthorityError(409, 'PUBLISH_CONFLICT', `Version ${fields.version} of the ${content.kind} was published at the same moment by someone else; publish again.`);
  }
  return document;
}

/** The settings as published: the next keys announced while a rotation is under way; refused when they name that setting themselves. */
function withNextKeys(authority: Authority, settings: z.infer<typeof StationSettings>): z.infer<typeof StationSettings> {
  if (Object.hasOwn(settings, NEXT_KEYS_SETTING)) {
    throw new AuthorityError(400, 'SETTING_RESERVED', `The setting "${NEXT_KEYS_SETTING}" is written by the authority itself during a key rotation; leave it out.`);
  }
  const { next } = authority.keys;
  return next === undefined ? settings : { ...settings, [NEXT_KEYS_SETTING]: next };
}

/** The latest station settings published again (announcing the next keys, if any): what `keys rotate` does. */
export async function republishStationConfig(authority: Authority): Promise<StationConfig> {
  const latest = (await authority.repository.latestPublished('station-config'))?.document as StationConfig | undefined;
  const settings = Object.fromEntries(Object.entries(latest?.settings ?? {}).filter(([name]) => name !== NEXT_KEYS_SETTING));
  return await publish(authority, { kind: 'station-config', settings }) as StationConfig;
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
