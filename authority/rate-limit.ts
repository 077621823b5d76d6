// A per-client token bucket, for the authority's limits on registration attempts and on failed
// signatures per client address. Buckets live in this process's memory: each replica of the
// authority keeps its own, so behind a load balancer with N replicas a client may get up to N
// times the budget, and a restart forgets them. That is enough to make guessing tokens or
// keys slow; a shared store would be needed for an exact global limit.

export interface RateLimitOptions {
  /** Attempts a client may make at once, and per window. */
  limit: number;
  windowSeconds: number;
  clock(): Date;
  /** Clients tracked at most; beyond, idle (refilled) buckets are forgotten first, then the oldest. */
  maxClients?: number;
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** Milliseconds: when `tokens` was last brought up to date. */
  at: number;
}

export class ClientRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxClients: number;

  constructor(private readonly options: RateLimitOptions) {
    this.perMs = options.limit / (options.windowSeconds * 1000);
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Spends one attempt of `client`'s budget, or says how long until it has one. */
  take(client: string): RateVerdict {
    const verdict = this.check(client);
    if (verdict.ok) this.bucket(client).tokens -= 1;
    return verdict;
  }

  /** Whether `client` has an attempt left, spending nothing. */
  check(client: string): RateVerdict {
    const { tokens } = this.bucket(client);
    if (tokens >= 1) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
  }

  /** Spends one attempt whether or not any is left (a failure that already happened). */
  spend(client: string): void {
    const bucket = this.bucket(client);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  private bucket(client: string): Bucket {
    const now = this.options.clock().getTime();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      this.makeRoom(now);
      bucket = { tokens: this.options.limit, at: now };
      this.buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(this.options.limit, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    return bucket;
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxClients) return;
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.options.limit) this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < this.maxClients) break;
      this.buckets.delete(client);
    }
  }
}
