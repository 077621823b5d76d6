// Pulling what the authority says became of this kiosk's records, against an in-memory store and
// a fake client whose pages are signed with recordStatusDocument.sign: the changes and the new
// cursor are applied together (a change that cannot be written leaves the cursor where it was),
// `more` is followed from the cursor each page moved to, at most 20 pages a round; a page
// signed by another key, for another kiosk, for another `after` or going backwards is refused
// with AUTHORITY_DOCUMENT_INVALID and leaves the store as the pages before it left it.

import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../../../protocol/keys.js';
import { recordStatusDocument, type RecordStatusChange, type RecordStatusPage } from '../../../../protocol/record-status.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import type { AuthorityClient } from '../../../../main/sync/authority-client.js';
import { pullRecordStatus, statusCursor } from '../../../../main/sync/record-status.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';

const KIOSK = offlineIdentity();
const CREDENTIALS = credentialsOf(KIOSK);
const ISSUED_AT = '2026-03-01T12:00:00.000Z';
const RECORDS = ['r-1', 'r-2', 'r-3'];

type PageFields = Omit<RecordStatusPage, 'signature' | 'authorityKeyId'>;

function store(): Db {
  const db = openDatabase(':memory:');
  for (const [i, recordId] of RECORDS.entries()) {
    db.prepare(`INSERT INTO outbox (record_id, enrollment_id, number, state, size, digest, next_attempt_at, created_at, updated_at)
                VALUES (?, NULL, ?, 'accepted', 10, 'd', ?, ?, ?)`).run(recordId, `K00A-260301-000${i + 1}-XX`, ISSUED_AT, ISSUED_AT, ISSUED_AT);
  }
  return db;
}

const change = (seq: number, recordId: string, state: RecordStatusChange['state'], reason: string | null = null): RecordStatusChange => ({
  seq, recordId, number: null, state, reason, at: `2026-03-01T11:${String(seq).padStart(2, '0')}:00.000Z`,
});

const page = (after: number, changes: RecordStatusChange[], { more = false, next = changes.at(-1)?.seq ?? after, kioskId = CREDENTIALS.identity.kioskId } = {}): PageFields =>
  ({ kioskId, after, changes, next, more, issuedAt: ISSUED_AT });

/** A client that answers each `after` with the page given for it, signed by the authority (or by the key given for that page). */
function client(pages: Record<number, PageFields>, keys: Record<number, KeyObject> = {}) {
  const asked: number[] = [];
  const fake = {
    recordStatusPage: (after: number) => {
      asked.push(after);
      const fields = pages[after];
      if (!fields) throw new Error(`no page after ${after}`);
      return Promise.resolve(JSON.parse(JSON.stringify(recordStatusDocument.sign(fields, keys[after] ?? KIOSK.authority.signing.privateKey))) as unknown);
    },
  } satisfies Pick<AuthorityClient, 'recordStatusPage'>;
  return { client: fake as unknown as AuthorityClient, asked };
}

/** What the store knows of the authority's view: each record's state, and the cursor. */
const view = (db: Db) => ({
  records: db.prepare('SELECT record_id, authority_state, authority_reason, authority_state_at FROM outbox ORDER BY record_id').all(),
  cursor: statusCursor(db),
});

describe('pullRecordStatus', () => {
  it('applies a page\'s changes and moves the cursor to its `next`', async () => {
    const db = store();
    const { client: fake, asked } = client({ 0: page(0, [change(1, 'r-1', 'received'), change(2, 'r-2', 'rejected', 'The portrait is blurred.')], { next: 4 }) });
    expect(statusCursor(db)).toBe(0);
    expect(await pullRecordStatus(db, fake, CREDENTIALS)).toBe(2);
    expect(asked).toEqual([0]);
    expect(view(db)).toEqual({
      records: [
        { record_id: 'r-1', authority_state: 'received', authority_reason: null, authority_state_at: change(1, 'r-1', 'received').at },
        { record_id: 'r-2', authority_state: 'rejected', authority_reason: 'The portrait is blurred.', authority_state_at: change(2, 'r-2', 'rejected').at },
        { record_id: 'r-3', authority_state: null, authority_reason: null, authority_state_at: null },
      ],
      cursor: 4,
    });
  });

  it('follows `more` from the cursor each page moved to, the later change of a record winning', async () => {
    const db = store();
    const { client: fake, asked } = client({
      0: page(0, [change(1, 'r-1', 'received'), change(2, 'r-3', 'received')], { more: true }),
      2: page(2, [change(3, 'r-1', 'in-review')], { more: true, next: 5 }),
      5: page(5, [change(6, 'r-1', 'accepted')]),
    });
    expect(await pullRecordStatus(db, fake, CREDENTIALS)).toBe(4);
    expect(asked).toEqual([0, 2, 5]);
    expect(view(db)).toMatchObject({
      records: [{ record_id: 'r-1', authority_state: 'accepted' }, { record_id: 'r-2', authority_state: null }, { record_id: 'r-3', authority_state: 'received' }],
      cursor: 6,
    });
  });

  it('asks from where the last round ended, and keeps the cursor on a page with nothing new', async () => {
    const db = store();
    await pullRecordStatus(db, client({ 0: page(0, [change(1, 'r-1', 'received')]) }).client, CREDENTIALS);
    const { client: fake, asked } = client({ 1: page(1, []) });
    expect(await pullRecordStatus(db, fake, CREDENTIALS)).toBe(0);
    expect(asked).toEqual([1]);
    expect(statusCursor(db)).toBe(1);
  });

  it('reads at most 20 pages a round, and goes on from there the next round', async () => {
    const db = store();
    const pages = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [i, page(i, [change(i + 1, 'r-1', 'in-review')], { more: i < 29 })]));
    const first = client(pages);
    expect(await pullRecordStatus(db, first.client, CREDENTIALS)).toBe(20);
    expect(first.asked).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(statusCursor(db)).toBe(20);
    const second = client(pages);
    expect(await pullRecordStatus(db, second.client, CREDENTIALS)).toBe(10);
    expect(second.asked).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
    expect(statusCursor(db)).toBe(30);
  });

  it('ignores a change for a record this kiosk does not hold, still moving on', async () => {
    const db = store();
    expect(await pullRecordStatus(db, client({ 0: page(0, [change(1, 'r-unknown', 'accepted')]) }).client, CREDENTIALS)).toBe(1);
    expect(view(db)).toMatchObject({ records: RECORDS.map((id) => ({ record_id: id, authority_state: null })), cursor: 1 });
  });

  it('applies the changes and the cursor together: a change that cannot be written leaves both as they were', async () => {
    const db = store();
    db.exec(`CREATE TRIGGER refuse_r3 BEFORE UPDATE OF authority_state ON outbox WHEN new.record_id = 'r-3'
             BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    const before = view(db);
    await expect(pullRecordStatus(db, client({ 0: page(0, [change(1, 'r-1', 'received'), change(2, 'r-3', 'received')]) }).client, CREDENTIALS))
      .rejects.toThrow('disk trouble');
    expect(view(db)).toEqual(before);
  });

  const second = page(2, [change(3, 'r-2', 'accepted')], { next: 3 });
  it.each<[string, PageFields, KeyObject | null, string]>([
    ['signed by another key', second, generateSigningKeyPair().privateKey, 'KEY_MISMATCH'],
    ['for another kiosk', { ...second, kioskId: credentialsOf(offlineIdentity()).identity.kioskId }, null, 'STATUS_PAGE_MISMATCH'],
    ['for another `after`', { ...second, after: 1 }, null, 'STATUS_PAGE_MISMATCH'],
    ['going back before `after`', { ...second, changes: [], next: 1 }, null, 'STATUS_PAGE_MISMATCH'],
  ])('refuses a page %s, keeping what the pages before it applied and nothing of it', async (_name, refused, key, reason) => {
    const db = store();
    const firstPage = page(0, [change(1, 'r-1', 'received'), change(2, 'r-3', 'in-review')], { more: true });
    const { client: fake } = client({ 0: firstPage, 2: refused }, key ? { 2: key } : {});
    await expect(pullRecordStatus(db, fake, CREDENTIALS)).rejects.toMatchObject({
      name: 'GatehouseError', code: 'AUTHORITY_DOCUMENT_INVALID', details: { kind: 'record-status', reason },
    });
    expect(view(db)).toMatchObject({
      records: [{ record_id: 'r-1', authority_state: 'received' }, { record_id: 'r-2', authority_state: null }, { record_id: 'r-3', authority_state: 'in-review' }],
      cursor: 2,
    });
  });

  it('refuses a first page with a forged signature, changing nothing', async () => {
    const db = store();
    const forged = { ...recordStatusDocument.sign(page(0, [change(1, 'r-1', 'accepted')]), KIOSK.authority.signing.privateKey), more: true };
    const fake = { recordStatusPage: () => Promise.resolve(forged as unknown) } as unknown as AuthorityClient;
    const before = view(db);
    await expect(pullRecordStatus(db, fake, CREDENTIALS)).rejects.toMatchObject({
      code: 'AUTHORITY_DOCUMENT_INVALID', details: { kind: 'record-status', reason: 'SIGNATURE_INVALID' },
    });
    expect(view(db)).toEqual(before);
  });
});
