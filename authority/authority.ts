// The authority service as one object: its store, keys, clock and limits, opened from a data
// directory. The HTTP routes and the CLI commands both work through it and the modules beside it.
import { mkdir } from 'node:fs/promises';
import { loadAuthorityKeys, type AuthorityKeys } from './authority-keys.js';
import { checkLeftoverKeyFiles, checkPublishedSigners } from './keys/identity-check.js';
import type { KeyCustody } from './keys/key-custody.js';
import { configuredCustody } from './keys/kek-source.js';
import { DEFAULT_SKEW_SECONDS } from '../protocol/http-signature.js';
import type { EnvelopeStore } from './envelopes/envelope-store.js';
import { openEnvelopeStore } from './envelopes/open-envelope-store.js';
import { STATUS_PAGE_SIZE } from '../protocol/record-status.js';
import { ensurePublished } from './published-documents.js';
import { createRequestAuthenticator, type RequestAuthenticator } from './request-authentication.js';
import { openRepository } from './store/open-repository.js';
import type { AuthorityRepository } from './store/repository.js';
import type { StoreTuning } from './store/store-tuning.js';

/**
 * Every limit the authority enforces, with defaults sized for its records: an enrollment record is
 * about 300 KB, and the largest realistic one (ten fingerprints with their images, portraits and
 * exception photos) a few MB. The rate limits are kept in memory by each replica (see
 * rate-limit.ts): behind a load balancer with N replicas a client gets up to N times the budget.
 */
export interface AuthorityLimits {
  /** JSON request bodies. */
  jsonBodyBytes: number;
  /** An envelope sent whole with PUT /v1/records/:id; larger records go in chunks. */
  recordBodyBytes: number;
  /** One chunk of a resumable upload. */
  chunkBytes: number;
  /** A whole record sent in chunks: a few times the largest realistic record, far below what would strain memory at completion. */
  uploadBytes: number;
  /** How far a request's `created` time may be from the authority's clock, either way. */
  skewSeconds: number;
  /** Status changes in one page of GET /v1/record-status (at most the protocol's STATUS_PAGE_SIZE). */
  statusPageSize: number;
  /** Open TCP connections; further ones are closed at once. */
  maxConnections: number;
  /** Time a client has to send the request headers. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included (a 1 MiB chunk over a slow link must fit). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** Requests being served at once, across all clients; more get 429 AUTHORITY_BUSY. */
  maxInFlightRequests: number;
  /** Resumable uploads one kiosk may have open; more get 429 UPLOADS_OPEN_LIMIT. */
  openUploadsPerKiosk: number;
  /** An upload with no chunk for this long is abandoned and swept with its chunks. */
  uploadIdleSeconds: number;
  /** How often the server sweeps abandoned uploads. */
  uploadSweepSeconds: number;
  /** Registration attempts (POST /v1/kiosks) one client address may make per window; more get 429. */
  registrationAttemptsPerWindow: number;
  registrationWindowSeconds: number;
  /** Requests failing their signature one client address may send per window; then all its signed requests get 429. */
  failedSignaturesPerWindow: number;
  failedSignatureWindowSeconds: number;
}

export const DEFAULT_LIMITS: AuthorityLimits = {
  jsonBodyBytes: 64 * 1024,
  recordBodyBytes: 4 * 1024 * 1024,
  chunkBytes: 1024 * 1024,
  uploadBytes: 16 * 1024 * 1024,
  skewSeconds: DEFAULT_SKEW_SECONDS,
  statusPageSize: STATUS_PAGE_SIZE,
  maxConnections: 256,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 180_000,
  keepAliveTimeoutMs: 10_000,
  maxInFlightRequests: 64,
  openUploadsPerKiosk: 8,
  uploadIdleSeconds: 24 * 3600,
  uploadSweepSeconds: 600,
  registrationAttemptsPerWindow: 10,
  registrationWindowSeconds: 600,
  failedSignaturesPerWindow: 30,
  failedSignatureWindowSeconds: 60,
};

export interface Authority {
  /** Where the SQLite store and the published update packages live (the keys are in the store). */
  dataDir: string;
  repository: AuthorityRepository;
  /** Where the sealed envelopes are, by digest (the repository's database unless --envelopes says otherwise). */
  envelopes: EnvelopeStore;
  keys: AuthorityKeys;
  clock(): Date;
  limits: AuthorityLimits;
  authenticate: RequestAuthenticator;
  close(): Promise<void>;
}

export interface OpenAuthorityOptions {
  dataDir: string;
  /** A postgres:// URL; SQLite in the data directory when absent. */
  database?: string;
  /** Pool size and timeouts of the store (store-tuning.ts); its defaults when absent. */
  store?: StoreTuning;
  /** `db` (the default), `file:DIR` or `s3://bucket/prefix` (envelopes/envelope-store-spec.ts). */
  envelopes?: string;
  clock?: () => Date;
  limits?: Partial<AuthorityLimits>;
  /** Who opens the private keys in the store; the configured key-encryption key (kek-source.ts) when absent. */
  custody?: KeyCustody;
  /** --kek-file, when `custody` is absent. */
  kekFile?: string;
}

export async function openAuthority(options: OpenAuthorityOptions): Promise<Authority> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const custodyOf = async (): Promise<KeyCustody> => options.custody ?? configuredCustody({ dataDir: options.dataDir, kekFile: options.kekFile });
  const repository = await openRepository(options.dataDir, options.database, options.store);
  const clock = options.clock ?? (() => new Date());
  let keys: AuthorityKeys;
  try {
    keys = await loadAuthorityKeys(repository, custodyOf, clock);
    await checkLeftoverKeyFiles(options.dataDir, await repository.listAuthorityKeys());
    await checkPublishedSigners(repository, keys.signingKeyIds);
  } catch (error) {
    await repository.close();
    throw error;
  }
  const envelopes = await openEnvelopeStore(options.envelopes, repository, clock).catch(async (error: unknown) => {
    await repository.close();
    throw error;
  });
  const given = { ...DEFAULT_LIMITS, ...options.limits };
  const limits = { ...given, statusPageSize: Math.max(1, Math.min(given.statusPageSize, STATUS_PAGE_SIZE)) };
  const authority: Authority = {
    dataDir: options.dataDir,
    repository,
    envelopes,
    keys,
    clock,
    limits,
    authenticate: createRequestAuthenticator(repository, clock, limits.skewSeconds),
    async close() {
      await envelopes.close();
      await repository.close();
    },
  };
  try {
    await ensurePublished(authority);
  } catch (error) {
    await authority.close();
    throw error;
  }
  return authority;
}

/** The authority's clock as an ISO 8601 UTC string. */
export const nowIso = (authority: Pick<Authority, 'clock'>): string => authority.clock().toISOString();
