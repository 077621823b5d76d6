// How one authority process uses its database: how many PostgreSQL connections it holds, how long
// a PostgreSQL statement (or the wait for a pooled connection) may take, and how long SQLite waits
// for another connection's write lock. Set per process (serve options or the environment); the
// defaults suit one replica on a PostgreSQL with its default 100 connections.

export interface StoreTuning {
  /**
   * PostgreSQL connections this process opens at most. A request holds one only while its queries
   * run, so far fewer than `maxInFlightRequests` suffice; replicas × poolSize must stay below the
   * server's max_connections (100 by default, 3 of them reserved).
   */
  poolSize: number;
  /**
   * A PostgreSQL statement running longer is cancelled (statement_timeout), and a request waiting
   * longer for a free pooled connection fails: a stuck database becomes a 500 the kiosk retries,
   * not a request that hangs until the kiosk's own timeout. Migrations are exempt.
   */
  statementTimeoutMs: number;
  /** SQLite: how long a write waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

export const DEFAULT_STORE_TUNING: StoreTuning = {
  poolSize: 10,
  statementTimeoutMs: 30_000,
  busyTimeoutMs: 5_000,
};
