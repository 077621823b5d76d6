// Provisioning is single-flight: whoever registers (a technician screen, `gatehouse provision`
// in another process, a recovery) first takes the one lease row in an IMMEDIATE transaction,
// before any key is made or the authority is asked; everyone else is refused with
// PROVISIONING_IN_PROGRESS. A holder that crashed leaves a lease that expires, and the next
// attempt after that takes it over; a holder whose lease was taken over cannot commit.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';

/** Longer than one registration may take (the authority client gives up after 30 s), with room to spare. */
export const PROVISIONING_LEASE_MS = 2 * 60_000;

export type LeasePurpose = 'register' | 'recover';

export interface ProvisioningLease {
  holder: string;
  purpose: LeasePurpose;
}

interface LeaseRow {
  holder: string;
  purpose: LeasePurpose;
  taken_at: string;
  expires_at: string;
}

/**
 * Takes the lease, after `check` (run in the same transaction, e.g. "not provisioned yet") passes.
 * PROVISIONING_IN_PROGRESS while another holds a lease that has not expired.
 */
export function takeProvisioningLease(db: Db, purpose: LeasePurpose, now: Date, check: () => void = () => {}): ProvisioningLease {
  const lease: ProvisioningLease = { holder: `${hostname()}:${process.pid}:${randomUUID()}`, purpose };
  db.transaction(() => {
    check();
    const held = db.prepare('SELECT holder, purpose, taken_at, expires_at FROM provisioning_lease WHERE singleton = 1').get() as LeaseRow | undefined;
    if (held !== undefined && Date.parse(held.expires_at) > now.getTime()) {
      throw new GatehouseError('PROVISIONING_IN_PROGRESS',
        `This kiosk is being ${held.purpose === 'register' ? 'registered' : 'recovered'} already (since ${held.taken_at}, by ${held.holder}); ` +
          `wait for it to finish. If that attempt died, its claim lapses at ${held.expires_at}.`,
        { purpose: held.purpose, since: held.taken_at, expiresAt: held.expires_at });
    }
    db.prepare(`INSERT INTO provisioning_lease (singleton, holder, purpose, taken_at, expires_at) VALUES (1, ?, ?, ?, ?)
      ON CONFLICT (singleton) DO UPDATE SET holder = excluded.holder, purpose = excluded.purpose, taken_at = excluded.taken_at, expires_at = excluded.expires_at`)
      .run(lease.holder, purpose, now.toISOString(), new Date(now.getTime() + PROVISIONING_LEASE_MS).toISOString());
  }).immediate();
  return lease;
}

/**
 * Ends the lease inside the transaction that commits what it was taken for; refuses
 * (PROVISIONING_LEASE_LOST) when another took it over after it expired, so that commit rolls back.
 */
export function endProvisioningLeaseIn(db: Db, lease: ProvisioningLease): void {
  if (db.prepare('DELETE FROM provisioning_lease WHERE singleton = 1 AND holder = ?').run(lease.holder).changes !== 1) {
    throw new GatehouseError('PROVISIONING_LEASE_LOST',
      'The registration took so long that another attempt took over; nothing was stored here. The authority may list a kiosk ' +
        'that this one never became: revoke it there.');
  }
}

/** Gives the lease up after a failed attempt (no-op when it was ended or taken over). */
export function releaseProvisioningLease(db: Db, lease: ProvisioningLease): void {
  db.prepare('DELETE FROM provisioning_lease WHERE singleton = 1 AND holder = ?').run(lease.holder);
}
