// The kiosk's requests to the authority's update channel, signed with the kiosk's request key
// like every other kiosk request: the signed manifest of the newest package for this
// architecture (unverified here: the channel checks it against the pinned update key), and the
// package's bytes as a stream, from a given offset with an HTTP Range request.
import { apiPaths, ApiError } from '../../protocol/api.js';
import { signRequest } from '../../protocol/http-signature.js';
import { AuthorityRefusal, AuthorityUnreachable, retryAfterMs, type RequestSigner } from '../sync/authority-client.js';

export interface UpdateClientOptions {
  baseUrl: string;
  signer: RequestSigner;
  /** For the manifest request, and for the answer's headers of a download. */
  timeoutMs?: number;
  now?: () => Date;
}

export interface PackageResponse {
  status: 200 | 206;
  headers: Headers;
  body: ReadableStream<Uint8Array>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class UpdateClient {
  private readonly baseUrl: string;

  constructor(private readonly options: UpdateClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The newest package's signed manifest, or null when the authority publishes none for `architecture`. */
  async latestManifest(architecture: string): Promise<unknown> {
    const response = await this.get(apiPaths.updateLatest(architecture), {}, AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    const text = await response.text().catch((error: unknown) => {
      throw new AuthorityUnreachable(this.baseUrl, (error as Error).message);
    });
    if (response.status === 404) {
      const refusal = ApiError.safeParse(safeJson(text));
      if (refusal.success && refusal.data.code === 'UPDATE_NONE_PUBLISHED') return null;
    }
    if (!response.ok) throw this.refusal(response, text);
    return safeJson(text);
  }

  /**
   * The package `sha256` from byte `from` on (Range `bytes=from-`, with If-Range so a changed file
   * comes whole); `signal` aborts the transfer. A refusal (416 included) throws AuthorityRefusal.
   */
  async openPackage(sha256: string, from: number, signal?: AbortSignal): Promise<PackageResponse> {
    const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-`, 'if-range': `"${sha256}"` } : {};
    const response = await this.get(apiPaths.updatePackage(sha256), headers, signal);
    if ((response.status !== 200 && response.status !== 206) || response.body === null) {
      throw this.refusal(response, await response.text().catch(() => ''));
    }
    return { status: response.status, headers: response.headers, body: response.body };
  }

  private async get(path: string, extra: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> {
    const { signer } = this.options;
    const now = (this.options.now ?? (() => new Date()))();
    const signed = signRequest({ method: 'GET', path, body: new Uint8Array(), keyId: signer.keyId, privateKey: signer.privateKey, now });
    try {
      return await fetch(`${this.baseUrl}${path}`, { headers: { ...signed, ...extra }, signal });
    } catch (error) {
      if (signal?.aborted && (signal.reason as Error | undefined)?.name !== 'TimeoutError') throw error;
      throw new AuthorityUnreachable(this.baseUrl, error instanceof Error && error.name === 'TimeoutError' ? 'no answer in time' : String((error as { cause?: unknown }).cause ?? error));
    }
  }

  private refusal(response: Response, text: string): AuthorityRefusal {
    const error = ApiError.safeParse(safeJson(text));
    return new AuthorityRefusal(
      response.status,
      error.success ? error.data.code : `HTTP_${response.status}`,
      error.success ? error.data.message : `The authority answered the update request with HTTP ${response.status}.`,
      retryAfterMs(response.headers.get('retry-after'), new Date()),
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
