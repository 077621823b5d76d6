// The two unsigned routes a load balancer or an orchestrator asks: /v1/health (liveness: this
// process serves HTTP; also the kiosk's reachability probe and the source of the clock its
// diagnostics compare with, so its answer stays {service, signingKeyId}) and /v1/ready (send
// traffic here: not draining, the database answered within the readiness timeout, and the station
// configuration kiosks download was signed by a key this replica holds: the check `openAuthority`
// makes at start, repeated, so a replica left behind by a key rotation elsewhere stops getting traffic).
// A 503 from /v1/ready names the reason and nothing else: no database address, no error text.
import type { FastifyInstance } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import { apiPaths } from '../../protocol/api.js';

export const READY_PATH = '/v1/ready';

export type NotReadyReason = 'draining' | 'database-unavailable' | 'database-timeout' | 'keys-mismatch';

const MESSAGES: Record<NotReadyReason, string> = {
  'draining': 'This replica is shutting down; send requests to another.',
  'database-unavailable': 'The database failed the readiness query; the authority\'s log says why.',
  'database-timeout': 'The database did not answer the readiness query in time.',
  'keys-mismatch': 'The station configuration kiosks download is signed with a key this replica does not hold; restart it to load the authority\'s keys.',
};

export interface ReadinessOptions {
  /** How long the database has to answer. */
  timeoutMs: number;
  draining(): boolean;
  /** Why the database query failed, for the log (never for the answer). */
  onDatabaseFailure(error: unknown): void;
}

/** The published station configuration's signing key id, or why it could not be read. */
async function publishedKeyId(authority: Authority, options: ReadinessOptions): Promise<string | undefined | NotReadyReason> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'database-timeout'>((resolve) => {
    timer = setTimeout(() => resolve('database-timeout'), options.timeoutMs);
  });
  const query = authority.repository.latestPublished('station-config').then(
    (published) => (published?.document as { authorityKeyId?: string } | undefined)?.authorityKeyId,
    (error: unknown): NotReadyReason => {
      options.onDatabaseFailure(error);
      return 'database-unavailable';
    },
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function notReadyReason(authority: Authority, options: ReadinessOptions): Promise<NotReadyReason | undefined> {
  if (options.draining()) return 'draining';
  const keyId = await publishedKeyId(authority, options);
  if (keyId === 'database-unavailable' || keyId === 'database-timeout') return keyId;
  return keyId !== undefined && authority.keys.signingKeyIds.includes(keyId) ? undefined : 'keys-mismatch';
}

export function registerHealthRoutes(app: FastifyInstance, authority: Authority, readiness: ReadinessOptions): void {
  app.get(apiPaths.health, { config: { unsigned: true } }, async () => ({ service: 'gatehouse-authority', signingKeyId: authority.keys.published.signingKeyId }));

  app.get(READY_PATH, { config: { unsigned: true } }, async () => {
    const reason = await notReadyReason(authority, readiness);
    if (reason !== undefined) throw new AuthorityError(503, 'AUTHORITY_NOT_READY', MESSAGES[reason], { reason });
    return { service: 'gatehouse-authority', ready: true };
  });
}
