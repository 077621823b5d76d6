// A kiosk for the benchmarks: a real kiosk store registered with an authority by a one-time
// token, into which realistic synthetic records are sealed and queued exactly as an approved
// enrollment is. The sync benchmark drains one such kiosk; the authority benchmark many at once.

import { appendAudit } from '../main/audit/audit-log.js';
import { FileKeyVault } from '../main/provisioning/key-vault.js';
import type { KioskCredentials } from '../main/provisioning/kiosk-credentials.js';
import { Provisioning } from '../main/provisioning/provisioning.js';
import { openKioskDatabase, type Db } from '../main/store/database.js';
import { approveAndSeal } from '../main/sync/record-sealer.js';
import { syntheticRecord } from '../tools/records/synthetic-records.js';

export interface BenchKiosk {
  db: Db;
  credentials: KioskCredentials;
}

/** Opens (creating) the kiosk store in `dataDir` and registers it with the authority at `authorityUrl`. */
export async function registerBenchKiosk(dataDir: string, authorityUrl: string, token: string, name = 'Benchmark kiosk'): Promise<BenchKiosk> {
  const db = openKioskDatabase(dataDir);
  try {
    const provisioning = new Provisioning(db, new FileKeyVault(dataDir));
    await provisioning.register({ authorityUrl, token, name }, (store) => db.transaction(() => {
      const identity = store();
      appendAudit(db, { actor: 'bench', action: 'provisioning.register', details: { kioskId: identity.kioskId } });
      return identity;
    })());
    return { db, credentials: provisioning.require() };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Seals and queues `count` realistic records, numbered from `first`; each one's seal + enqueue time in ms and the bytes sealed. */
export function sealBenchRecords(kiosk: BenchKiosk, count: number, first = 0): { latencies: number[]; bytes: number } {
  const latencies: number[] = [];
  let bytes = 0;
  for (let index = first; index < first + count; index += 1) {
    const record = syntheticRecord(index);
    const started = process.hrtime.bigint();
    bytes += approveAndSeal(kiosk.db, kiosk.credentials, record, 'bench').size;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { latencies, bytes };
}

export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
