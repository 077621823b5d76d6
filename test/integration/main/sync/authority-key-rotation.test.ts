// An authority key rotation as a kiosk lives through it: the station configuration announces the
// next keys; until they take over the kiosk seals to the pinned key, from then on to the next one,
// and it verifies receipts and documents signed with either. The authority opens records sealed
// to both. With the first station configuration after the switch the kiosk pins the new keys,
// audits it, and after a restart it still holds them (and the key they replaced).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addNextGeneration } from '../../../../authority/authority-keys.js';
import { configuredCustody } from '../../../../authority/keys/kek-source.js';
import { publish, republishStationConfig } from '../../../../authority/published-documents.js';
import { Provisioning } from '../../../../main/provisioning/provisioning.js';
import { heldVersion } from '../../../../main/sync/authority-documents.js';
import { keyIdOf } from '../../../../protocol/keys.js';
import { readSealedHeader } from '../../../../protocol/sealed-record.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import { provisionedKiosk, type KioskUnderTest } from './kiosk-under-test.js';

const DAY = 86_400;

let h: Harness;
let k: KioskUnderTest;
beforeEach(async () => {
  h = await startHarness();
  k = await provisionedKiosk(h);
});
afterEach(async () => {
  k.close();
  await h.close();
});

const sealedTo = (recordId: string): string => readSealedHeader(k.envelope(recordId)).sealedTo;

describe('an authority key rotation', () => {
  it('is announced, taken over at its time, and adopted by the kiosk without losing a record', async () => {
    const old = h.authority.keys.published;
    const [beforeRotation] = k.seal(1);
    const rows = await addNextGeneration(h.authority.repository, await configuredCustody({ dataDir: h.dataDir }), h.now(), 7);
    await h.authority.keys.refresh();
    await republishStationConfig(h.authority);
    const next = { signing: rows.find((row) => row.purpose === 'signing')!.keyId, sealing: rows.find((row) => row.purpose === 'sealing')!.keyId };
    const sync = k.sync({ documentsEveryMs: 0 });

    // Announced: still signed and sealed with the old keys.
    expect((await sync.runOnce()).delivered).toBe(1);
    expect(heldVersion(k.db, 'station-config')).toBe(2);
    const [duringOverlap] = k.seal(1);
    expect([sealedTo(beforeRotation!), sealedTo(duringOverlap!)]).toEqual([old.sealingKeyId, old.sealingKeyId]);
    expect(k.auditActions()).not.toContain('provisioning.authority-keys-adopted');

    // Taken over: the authority signs with the new key, the kiosk seals to the new key and accepts both.
    h.advance(8 * DAY);
    expect(h.authority.keys.published.signingKeyId).toBe(next.signing);
    const [afterTakeover] = k.seal(1);
    expect(sealedTo(afterTakeover!)).toBe(next.sealing);
    const round = await sync.runOnce();
    expect(round).toMatchObject({ delivered: 2, rejected: 0, failure: null });
    expect(k.outbox().map((entry) => entry.state)).toEqual(['accepted', 'accepted', 'accepted']);
    const receipts = k.db.prepare('SELECT receipt FROM outbox ORDER BY created_at, record_id').all() as Array<{ receipt: string }>;
    expect(new Set(receipts.map((row) => (JSON.parse(row.receipt) as { authorityKeyId: string }).authorityKeyId))).toEqual(new Set([old.signingKeyId, next.signing]));

    // Adopted with that round's station configuration, audited once; documents signed with the new key verify.
    expect(k.auditActions().filter((action) => action === 'provisioning.authority-keys-adopted')).toHaveLength(1);
    await publish(h.authority, { kind: 'station-config', settings: { sealedRetentionHours: 1 } });
    await sync.runOnce();
    expect(heldVersion(k.db, 'station-config')).toBe(3);

    const restarted = new Provisioning(k.db, k.vault, h.now).require();
    expect(restarted.identity.authority).toMatchObject({ signingKeyId: next.signing, sealingKeyId: next.sealing });
    expect(keyIdOf(restarted.authorityKeyFor({ authorityKeyId: old.signingKeyId }))).toBe(old.signingKeyId);
    expect(keyIdOf(restarted.authoritySealingKeyAt(h.now()))).toBe(next.sealing);
    expect(k.auditActions().filter((action) => action === 'provisioning.authority-keys-adopted')).toHaveLength(1);
  });
});
