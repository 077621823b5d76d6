// The kiosk's side of the authority's /v1 API: every request signed with the kiosk key
// (RFC 9421, protocol/http-signature.ts), every answer checked against the shared
// schemas, and failures split into "could not reach it" and "it refused, with this code".
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import {
  ApiError, apiPaths, AuditCheckpointStored, Health, CreateUploadResponse, RecordStored, RegisterKioskResponse, UploadState,
  type AuditCheckpoint, type RegisterKioskRequest,
} from '../../protocol/api.js';
import { signRequest } from '../../protocol/http-signature.js';
import { GatehouseError } from '../errors.js';

export interface RequestSigner {
  /** The kiosk id, which the authority knows the kiosk's key by. */
  keyId: string;
  privateKey: KeyObject;
}

export interface AuthorityClientOptions {
  baseUrl: string;
  /** Absent only for registration, the one unsigned request. */
  signer?: RequestSigner;
  /** Per request, answer included; a stalled connection fails after this. */
  timeoutMs?: number;
  now?: () => Date;
}

/** No HTTP answer at all: refused, reset or stalled connection, DNS failure, timeout. */
export class AuthorityUnreachable extends GatehouseError {
  constructor(baseUrl: string, why: string) {
    super('AUTHORITY_UNREACHABLE', `The authority at ${baseUrl} cannot be reached (${why}).`, { url: baseUrl });
  }
}

/** The authority answered with an error status; `code` is the authority's own code. */
export class AuthorityRefusal extends GatehouseError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    /** From Retry-After, when the answer carried one. */
    readonly retryAfterMs: number | null,
  ) {
    super(code, message, { status });
  }
}

/** An answer that is not what the API promises (wrong shape, not JSON). */
export class AuthorityAnswerInvalid extends GatehouseError {
  constructor(what: string, why: string) {
    super('AUTHORITY_ANSWER_INVALID', `The authority's answer to ${what} is not valid (${why}).`, { what });
  }
}

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}/.test(text)) return null; // every HTTP-date form starts with the day name
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class AuthorityClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: AuthorityClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  register(request: RegisterKioskRequest): Promise<RegisterKioskResponse> {
    return this.send('POST', apiPaths.kiosks, RegisterKioskResponse, JSON.stringify(request));
  }

  putRecord(recordId: string, envelope: Uint8Array): Promise<RecordStored> {
    return this.send('PUT', apiPaths.record(recordId), RecordStored, envelope);
  }

  recordStatus(recordId: string): Promise<RecordStored> {
    return this.send('GET', apiPaths.record(recordId), RecordStored);
  }

  createUpload(recordId: string, size: number, digest: string): Promise<CreateUploadResponse> {
    return this.send('POST', apiPaths.recordUploads(recordId), CreateUploadResponse, JSON.stringify({ size, digest }));
  }

  uploadState(uploadId: string): Promise<UploadState> {
    return this.send('GET', apiPaths.upload(uploadId), UploadState);
  }

  uploadChunk(uploadId: string, offset: number, chunk: Uint8Array): Promise<UploadState> {
    return this.send('PUT', apiPaths.uploadChunk(uploadId, offset), UploadState, chunk);
  }

  completeUpload(uploadId: string, digest: string): Promise<RecordStored> {
    return this.send('POST', apiPaths.uploadComplete(uploadId), RecordStored, JSON.stringify({ digest }));
  }

  /** The signed station configuration, unverified: the caller checks it against the pinned key. */
  stationConfig(): Promise<unknown> {
    return this.send('GET', apiPaths.stationConfig, null);
  }

  /** The signed operator list, unverified. */
  operators(): Promise<unknown> {
    return this.send('GET', apiPaths.operators, null);
  }

  /** A signed page of what became of this kiosk's records after change `after`, unverified. */
  recordStatusPage(after: number): Promise<unknown> {
    return this.send('GET', apiPaths.recordStatus(after), null);
  }

  pushCheckpoint(checkpoint: AuditCheckpoint): Promise<AuditCheckpointStored> {
    return this.send('POST', apiPaths.auditCheckpoints, AuditCheckpointStored, JSON.stringify(checkpoint));
  }

  /**
   * Reachability: the authority's unsigned health answer, which a captive portal or another
   * server would not give. Changes nothing there.
   */
  async probe(): Promise<void> {
    const response = await this.fetch('GET', apiPaths.health, new Uint8Array(), {});
    const body = await this.readBody(response, 'the reachability probe');
    if (!response.ok || !Health.safeParse(body).success) {
      throw new AuthorityUnreachable(this.baseUrl, `HTTP ${response.status} from something that is not the Gatehouse authority`);
    }
  }

  private async send<T>(method: string, path: string, schema: z.ZodType<T> | null, body?: Uint8Array | string): Promise<T> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : (body ?? new Uint8Array());
    const { signer } = this.options;
    const headers: Record<string, string> = signer
      ? { ...signRequest({ method, path, body: bytes, keyId: signer.keyId, privateKey: signer.privateKey, now: this.now() }) }
      : {};
    if (body !== undefined) headers['content-type'] = typeof body === 'string' ? 'application/json' : 'application/octet-stream';
    const what = `${method} ${path.split('?')[0]}`;
    const response = await this.fetch(method, path, bytes, headers);
    const answer = await this.readBody(response, what);
    if (!response.ok) {
      const error = ApiError.safeParse(answer);
      throw new AuthorityRefusal(
        response.status,
        error.success ? error.data.code : `HTTP_${response.status}`,
        error.success ? error.data.message : `The authority answered ${what} with HTTP ${response.status}.`,
        retryAfterMs(response.headers.get('retry-after'), this.now()),
      );
    }
    if (schema === null) return answer as T;
    const parsed = schema.safeParse(answer);
    if (!parsed.success) throw new AuthorityAnswerInvalid(what, parsed.error.issues[0]?.message ?? 'wrong shape');
    return parsed.data;
  }

  private async fetch(method: string, path: string, body: Uint8Array, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body.length > 0 ? (body as Uint8Array<ArrayBuffer>) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AuthorityUnreachable(this.baseUrl, describeFetchFailure(error));
    }
  }

  /** The answer's JSON (undefined for an empty body); a cut-off answer counts as unreachable. */
  private async readBody(response: Response, what: string): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new AuthorityUnreachable(this.baseUrl, describeFetchFailure(error));
    }
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (!response.ok) return undefined;
      throw new AuthorityAnswerInvalid(what, 'not JSON');
    }
  }
}

function describeFetchFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
