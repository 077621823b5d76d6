// What must hold between two torture cycles, as pure checks over what the CLIs report: the
// records acknowledged by `enroll`, the kiosk's outbox (`gatehouse queue --json`) and what the
// authority holds (`gatehouse-authority records --json`). Each broken rule is one violation.

/** A record as the kiosk's outbox lists it. */
export interface KioskRecord {
  recordId: string;
  digest: string;
  state: 'queued' | 'sending' | 'accepted' | 'rejected';
}

/** A record as the authority lists it. */
export interface AuthorityRecord {
  recordId: string;
  kioskId: string;
  digest: string;
}

export interface Snapshot {
  /** Record id → digest, from the `sealed …` lines of every enroll run so far. */
  acknowledged: ReadonlyMap<string, string>;
  /** Enroll runs killed so far: each may have committed one record it never acknowledged. */
  enrollKills: number;
  kiosk: readonly KioskRecord[];
  /** Only this kiosk's records. */
  authority: readonly AuthorityRecord[];
  /** The final check after a clean drain: nothing may still wait. */
  drained: boolean;
}

export interface Tally {
  sealed: number;
  delivered: number;
  queued: number;
  unacknowledged: number;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(values.filter((value) => seen.has(value) || !seen.add(value)))];
}

export function checkSnapshot(snapshot: Snapshot): { violations: string[]; tally: Tally } {
  const violations: string[] = [];
  const kiosk = new Map(snapshot.kiosk.map((r) => [r.recordId, r]));
  const atAuthority = new Map(snapshot.authority.map((r) => [r.recordId, r]));

  for (const id of duplicates(snapshot.kiosk.map((r) => r.recordId))) violations.push(`kiosk lists record ${id} twice`);
  for (const digest of duplicates(snapshot.authority.map((r) => r.digest))) violations.push(`authority holds digest ${digest} more than once (delivered twice)`);
  for (const id of duplicates(snapshot.authority.map((r) => r.recordId))) violations.push(`authority holds record id ${id} more than once`);

  for (const [id, digest] of snapshot.acknowledged) {
    const record = kiosk.get(id);
    if (!record) violations.push(`record ${id} was acknowledged by enroll but is not in the kiosk's outbox (lost)`);
    else if (record.digest !== digest) violations.push(`record ${id} was acknowledged with digest ${digest} but the outbox has ${record.digest}`);
  }
  const unacknowledged = snapshot.kiosk.filter((r) => !snapshot.acknowledged.has(r.recordId)).length;
  if (unacknowledged > snapshot.enrollKills) {
    violations.push(`${unacknowledged} records in the outbox were never acknowledged, more than the ${snapshot.enrollKills} enroll runs killed`);
  }

  for (const record of snapshot.authority) {
    const mine = kiosk.get(record.recordId);
    if (!mine) violations.push(`authority holds record ${record.recordId} the kiosk does not know`);
    else if (mine.digest !== record.digest) violations.push(`authority holds record ${record.recordId} with digest ${record.digest}, the kiosk sealed ${mine.digest}`);
    else if (mine.state === 'rejected') violations.push(`record ${record.recordId} is at the authority but rejected on the kiosk`);
  }
  for (const record of snapshot.kiosk) {
    if (record.state === 'accepted' && !atAuthority.has(record.recordId)) violations.push(`record ${record.recordId} is accepted on the kiosk but the authority does not hold it`);
    if (record.state === 'rejected') violations.push(`record ${record.recordId} was rejected by the authority`);
    if (snapshot.drained && record.state !== 'accepted') violations.push(`record ${record.recordId} is still ${record.state} after the final sync`);
  }

  const delivered = snapshot.kiosk.filter((r) => r.state === 'accepted').length;
  const queued = snapshot.kiosk.filter((r) => r.state === 'queued' || r.state === 'sending').length;
  if (delivered + queued !== snapshot.kiosk.length) violations.push(`sealed ${snapshot.kiosk.length} ≠ delivered ${delivered} + queued ${queued}`);
  return { violations, tally: { sealed: snapshot.kiosk.length, delivered, queued, unacknowledged } };
}

/** The `sealed ID NUMBER SIZE DIGEST` lines of an enroll run's stdout (a cut-off last line is ignored). */
export function acknowledgedRecords(stdout: string): Array<{ recordId: string; digest: string }> {
  return stdout.split('\n').slice(0, -1).flatMap((line) => {
    const match = /^sealed (\S+) \S+ \d+ ([0-9a-f]{64})$/.exec(line);
    return match ? [{ recordId: match[1]!, digest: match[2]! }] : [];
  });
}
