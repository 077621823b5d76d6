// The torture loop's invariants (torture/invariants.ts) on hand-made snapshots: each rule fires
// on the state it is meant to catch and stays quiet on a consistent one.
import { describe, expect, it } from 'vitest';
import { acknowledgedRecords, checkSnapshot, type Snapshot } from '../../torture/invariants.js';

const digest = (n: number) => n.toString(16).padStart(64, '0');
const KIOSK = 'k-1';

function snapshot(change: Partial<Snapshot> = {}): Snapshot {
  return {
    acknowledged: new Map([['r1', digest(1)], ['r2', digest(2)], ['r3', digest(3)]]),
    enrollKills: 1,
    kiosk: [
      { recordId: 'r1', digest: digest(1), state: 'accepted' },
      { recordId: 'r2', digest: digest(2), state: 'accepted' },
      { recordId: 'r3', digest: digest(3), state: 'queued' },
      { recordId: 'r4', digest: digest(4), state: 'sending' },
    ],
    authority: [{ recordId: 'r1', kioskId: KIOSK, digest: digest(1) }, { recordId: 'r2', kioskId: KIOSK, digest: digest(2) }, { recordId: 'r4', kioskId: KIOSK, digest: digest(4) }],
    drained: false,
    ...change,
  };
}

describe('torture invariants', () => {
  it('accept a consistent state: a record delivered whose receipt was lost is still queued, one unacknowledged record per killed enroll', () => {
    expect(checkSnapshot(snapshot())).toEqual({ violations: [], tally: { sealed: 4, delivered: 2, queued: 2, unacknowledged: 1 } });
  });

  it('catch an acknowledged record that is lost or changed', () => {
    const s = snapshot();
    expect(checkSnapshot({ ...s, kiosk: s.kiosk.filter((r) => r.recordId !== 'r3') }).violations).toEqual([expect.stringMatching(/r3 was acknowledged .* \(lost\)/)]);
    expect(checkSnapshot({ ...s, acknowledged: new Map([...s.acknowledged, ['r3', digest(9)]]) }).violations).toEqual([expect.stringMatching(/r3 was acknowledged with digest/)]);
  });

  it('catch a record delivered twice, one the kiosk does not know, and an accepted one the authority lacks', () => {
    const s = snapshot();
    expect(checkSnapshot({ ...s, authority: [...s.authority, { recordId: 'r9', kioskId: KIOSK, digest: digest(1) }] }).violations)
      .toEqual([expect.stringMatching(/digest 0+1 more than once/), expect.stringMatching(/r9 the kiosk does not know/)]);
    expect(checkSnapshot({ ...s, authority: s.authority.slice(1) }).violations).toEqual([expect.stringMatching(/r1 is accepted on the kiosk but the authority does not hold it/)]);
  });

  it('catch more unacknowledged records than kills, rejections, and records left after the final sync', () => {
    expect(checkSnapshot(snapshot({ enrollKills: 0 })).violations).toEqual([expect.stringMatching(/1 records .* never acknowledged, more than the 0/)]);
    const s = snapshot();
    expect(checkSnapshot({ ...s, kiosk: s.kiosk.map((r) => (r.recordId === 'r3' ? { ...r, state: 'rejected' as const } : r)) }).violations)
      .toEqual([expect.stringMatching(/r3 was rejected/), expect.stringMatching(/sealed 4 ≠ delivered 2 \+ queued 1/)]);
    expect(checkSnapshot(snapshot({ drained: true })).violations).toEqual([expect.stringMatching(/r3 is still queued/), expect.stringMatching(/r4 is still sending/)]);
  });

  it('read only complete acknowledgement lines', () => {
    const stdout = `sealed a - 10 ${digest(1)}\nnoise\nsealed b K00A-261206-0001-N6 20 ${digest(2)}\nsealed c - 3 ${digest(3).slice(0, 20)}`;
    expect(acknowledgedRecords(stdout)).toEqual([{ recordId: 'a', digest: digest(1) }, { recordId: 'b', digest: digest(2) }]);
  });
});
