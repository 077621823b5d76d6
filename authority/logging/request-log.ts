// The authority's structured log: one JSON line per request it served, one per failure of its
// own, and one per change of the server's state (draining, certificate reloaded). A request line says which request (its id), what was asked (method and route template, never
// the path with its record or upload ids, nor the query), the answer's status, how long it took,
// which kiosk signed it, and the bytes each way; never a body, a header or anything personal.
// The id is the client's X-Request-Id when that is a sane token (so a proxy's id follows the
// request through), otherwise a fresh UUID; it is sent back in X-Request-Id and in every refusal.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, at most 128: what proxies put there (UUIDs, hex, dotted ids), nothing that could carry a sentence. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's request id when sane (the first one, if it sent several), else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

export interface RequestLogEntry {
  requestId: string;
  method: string;
  /** The route as registered (`/v1/records/:recordId`); null when no route matched. */
  route: string | null;
  /** The answer's status; 499 (as nginx logs it) when the client went away before the answer. */
  status: number;
  durationMs: number;
  /** The kiosk whose signature verified; null on unsigned routes and refused signatures. */
  kioskId: string | null;
  /** Body bytes read from the request (0 when it was refused before its body). */
  bytesIn: number;
  /** Body bytes of the answer, from its Content-Length. */
  bytesOut: number;
}

/** Where the lines go: standard error of `serve` (the journal), or a test's list. */
export type LogSink = (line: string) => void;

export interface AuthorityLog {
  request(entry: RequestLogEntry): void;
  /** A failure of the authority itself (a 5xx, a failed sweep), with the request it happened in, if any. */
  failure(error: unknown, requestId?: string): void;
  /** A change of the server's own state; `fields` are counts and names, nothing from a request. */
  info(event: string, fields?: Record<string, string | number>): void;
}

const line = (fields: Record<string, unknown>): string => `${JSON.stringify({ at: new Date().toISOString(), component: 'authority', ...fields })}\n`;

/** Only a failure's message: a stack or a database error object may quote SQL parameters. */
const messageOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function jsonLinesLog(sink: LogSink, options: { requests: boolean }): AuthorityLog {
  return {
    request(entry) {
      if (options.requests) sink(line({ level: 'info', event: 'request', ...entry }));
    },
    failure(error, requestId) {
      sink(line({ level: 'error', event: 'failure', ...(requestId === undefined ? {} : { requestId }), message: messageOf(error) }));
    },
    info(event, fields = {}) {
      sink(line({ level: 'info', event, ...fields }));
    },
  };
}
