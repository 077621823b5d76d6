// The lifetime of request nonces. A signature is accepted only while |now − created| ≤ the
// clock-skew window W, and a nonce is refused while any earlier use of it is held, so a nonce must
// be held until no signature carrying it can pass the time check again. Nonces are swept in whole
// buckets of width W (bucket = floor(created / W)): with the clock in bucket n, a nonce of a bucket
// below n − 1 was created more than W ago and can never verify again. One bucket more (n − 2) is
// kept so that a replica whose clock is behind the sweeper's by up to W still finds every nonce it
// could accept; buckets n − 2 … n + 1 (created up to W ahead) stay, so the table holds about four and
// a half windows of requests. Every replica runs the sweep on a timer; the store lets one of them
// delete each bucket.
import type { Authority } from './authority.js';

/** The bucket boundary below which every nonce has expired at `nowSeconds`, on any clock up to a window behind. */
export function nonceSweepCutoff(nowSeconds: number, windowSeconds: number): number {
  return (Math.floor(nowSeconds / windowSeconds) - 2) * windowSeconds;
}

/** Drops the expired buckets unless another replica already did: how many nonces this call removed, or null. */
export async function sweepExpiredNonces(authority: Pick<Authority, 'repository' | 'clock' | 'limits'>): Promise<number | null> {
  const nowSeconds = Math.floor(authority.clock().getTime() / 1000);
  return authority.repository.sweepNonces(nonceSweepCutoff(nowSeconds, authority.limits.skewSeconds));
}
