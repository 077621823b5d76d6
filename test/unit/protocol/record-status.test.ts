// The signed pages of record status changes the kiosk pulls: they verify with the pinned authority
// key, name it, and refuse any changed state, reason or paging field; the query takes a whole
// number only.

import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import {
  RecordStatusQuery, recordStatusDocument, STATUS_PAGE_SIZE, type RecordStatusChange, type RecordStatusPage,
} from '../../../protocol/record-status.js';

const authority = generateSigningKeyPair();
const impostor = generateSigningKeyPair();
const change = (seq: number, fields: Partial<RecordStatusChange> = {}): RecordStatusChange => ({
  seq, recordId: `record-${seq}`, number: 'K00A-261206-0042-N6', state: 'received', reason: null, at: '2026-12-06T10:15:00.000Z', ...fields,
});
const fields: Omit<RecordStatusPage, 'signature' | 'authorityKeyId'> = {
  kioskId: '6f1f8a52-3c1e-4c55-9d0e-2f1a7c9b1e01',
  after: 10,
  changes: [change(11), change(14, { state: 'rejected', reason: 'The portrait is blurred.' }), change(15, { number: null, state: 'accepted' })],
  next: 15,
  more: true,
  issuedAt: '2026-12-06T11:00:00.000Z',
};

describe('record status pages', () => {
  const page = recordStatusDocument.sign(fields, authority.privateKey);

  it('verify with the pinned authority key and name it', () => {
    expect(page.authorityKeyId).toBe(keyIdOf(authority.publicKey));
    expect(recordStatusDocument.verify(JSON.parse(JSON.stringify(page)), authority.publicKey)).toEqual({ ok: true, document: page });
  });

  it('refuse another authority key, naming the mismatch', () => {
    expect(recordStatusDocument.verify(page, impostor.publicKey)).toMatchObject({ ok: false, code: 'KEY_MISMATCH' });
    const forged = { ...recordStatusDocument.sign(fields, impostor.privateKey), authorityKeyId: page.authorityKeyId };
    expect(recordStatusDocument.verify(forged, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuse any changed decision or paging field', () => {
    const changed: Array<Partial<RecordStatusPage>> = [
      { changes: [change(11), change(14, { state: 'accepted', reason: null }), fields.changes[2]!] },
      { changes: [change(11), change(14, { state: 'rejected', reason: 'Fine.' }), fields.changes[2]!] },
      { changes: fields.changes.slice(0, 2) },
      { more: false },
      { next: 14 },
      { after: 0 },
      { kioskId: '0b8e3d4c-7a6f-4e21-8c3b-5d9f1a2e4c02' },
      { issuedAt: '2026-12-07T11:00:00.000Z' },
    ];
    for (const change of changed) {
      expect(recordStatusDocument.verify({ ...page, ...change }, authority.publicKey), JSON.stringify(change)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    }
  });

  it('refuse a page that breaks the form, whoever signed it', () => {
    const malformed = [
      { ...fields, changes: Array.from({ length: STATUS_PAGE_SIZE + 1 }, (_, i) => change(i + 1)) },
      { ...fields, changes: [change(11, { state: 'lost' as never })] },
      { ...fields, changes: [change(11, { number: 'K00A-261206-0042-N7' })] },
      { ...fields, changes: [change(0)] },
      { ...fields, changes: [change(11, { reason: 'x'.repeat(501) })] },
    ];
    for (const bad of malformed) {
      expect(recordStatusDocument.verify(recordStatusDocument.sign(bad, authority.privateKey), authority.publicKey)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
    }
    expect(recordStatusDocument.verify({ ...page, extra: true }, authority.publicKey)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
  });
});

describe('the record status query', () => {
  it('takes a whole number of the last change seen, and nothing else', () => {
    expect(RecordStatusQuery.parse({ after: '0' })).toEqual({ after: 0 });
    expect(RecordStatusQuery.parse({ after: '123456789012345' })).toEqual({ after: 123456789012345 });
    for (const bad of [{}, { after: '' }, { after: '-1' }, { after: '01' }, { after: '1.5' }, { after: 'x' }, { after: '1234567890123456' }, { after: '1', other: '2' }, { after: ['1', '2'] }]) {
      expect(RecordStatusQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
