// The details and review steps through a real kiosk on simulated devices and a real authority:
// the details form's validation, the consent with its version, language and time, the officer's
// PIN (a wrong one counts towards the lockout like a login), the refusal on a kiosk that is not
// provisioned yet, and the sealed record, opened here with the authority's private key. Audit
// entries carry ids and outcomes, never the person's data, document numbers or biometrics.

import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedRecord, readSealedHeader, type OpenedRecord } from '../../../../authority/protocol/sealed-record.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { captureFromMrz } from '../../../../main/enrollment/document-capture.js';
import { version } from '../../../../main/kiosk/project-root.js';
import type { Enrollment } from '../../../../main/rpc/contract.js';
import type { ConsentText } from '../../../../main/rpc/procedures/review.js';
import { readEnvelope } from '../../../../main/store/outbox.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, outputOf, type FixtureKey, type RecordedScreen, type StoredAuditRow,
} from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { PASSPORT } from '../../../unit/main/enrollment/sample-documents.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

type EnrollmentView = z.infer<typeof Enrollment>;
type Flow = 'person' | 'company';

const PERSON_DETAILS = {
  flow: 'person', address: '  Storgatan 12\n111 51 Stockholm ', phone: '+46 8 123 456 78', email: ' anna.eriksson@example.se ',
  purpose: 'other', purposeNote: 'Firearms licence renewal',
};
const COMPANY_DETAILS = {
  flow: 'company', companyName: 'Eriksson Bakery AB', registrationNumber: '556677-8899', legalForm: 'limited-company',
  registeredAddress: 'Marktplatz 3\n04109 Leipzig', role: 'director',
};
const FINGER_NOTE = 'Lost in an accident';
/** What must never reach the audit log: names, the document number, the details, notes, PINs. */
const PERSONAL = ['ERIKSSON', 'ANNA', 'L898902C3', 'Storgatan', 'example.se', '123 456', 'Firearms', 'Eriksson Bakery', '556677', 'Marktplatz', FINGER_NOTE];

let kiosk: SimulatedKiosk;
let authority: Harness;
beforeAll(async () => {
  authority = await startHarness();
  kiosk = await openSimulatedKiosk();
});
afterAll(async () => {
  await kiosk?.h.kiosk.sync.stop();
  await kiosk?.close();
  await authority?.close();
});

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const view = async (recorded: RecordedScreen, method: string, input: unknown = {}) => outputOf<EnrollmentView>(await call(recorded, method, input));
const failedAttempts = (key: FixtureKey) =>
  (kiosk.h.kiosk.db.prepare('SELECT failed_attempts FROM operators WHERE id = ?').get(kiosk.h.operator(key).id) as { failed_attempts: number }).failed_attempts;
const enrollmentState = (id: string) => (kiosk.h.kiosk.db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: string }).state;
const outboxRows = () => kiosk.h.kiosk.db.prepare('SELECT record_id AS recordId, enrollment_id AS enrollmentId FROM outbox ORDER BY created_at').all();
const audited = (rows: StoredAuditRow[]) =>
  rows.map((row): [string | null, string, Record<string, unknown>] => [row.actor, row.action, JSON.parse(row.details) as Record<string, unknown>]);

function expectNoPersonalData(rows: StoredAuditRow[]): void {
  const pins = Object.values(kiosk.h.operators).map((operator) => operator.pin);
  for (const row of rows) for (const secret of [...PERSONAL, ...pins]) expect(row.details, row.action).not.toContain(secret);
}

/** A screen with an enrollment at the details step: passport accepted, face exception, fingers captured or excepted. */
async function atDetails(who: FixtureKey, flow: Flow, { captureFinger = false } = {}): Promise<RecordedScreen & { id: string }> {
  kiosk.fingers.liftFinger();
  const recorded = await kiosk.screen(who, captureFinger ? new SimulatedPerson('applicant') : undefined);
  const { id } = await view(recorded, 'enrollment.start', { flow });
  const now = new Date();
  kiosk.rig.documentReader.emit('capture', captureFromMrz(parseMrz(formatMrz(PASSPORT, 'TD3'), { now }), 'mrz', now));
  const { pendingRead } = await view(recorded, 'enrollment.current');
  await view(recorded, 'enrollment.acceptDocument', { readId: pendingRead!.readId });
  await view(recorded, 'enrollment.recordFaceException', { reason: 'injured' });
  if (flow === 'person') {
    if (captureFinger) await view(recorded, 'fingerprint.capture', { position: 2 });
    else await view(recorded, 'fingerprint.recordException', { position: 2, reason: 'bandaged' });
    await view(recorded, 'fingerprint.recordException', { position: 7, reason: 'missing', note: FINGER_NOTE });
    await view(recorded, 'fingerprint.finish');
  }
  expect((await view(recorded, 'enrollment.current')).step).toBe('details');
  return { ...recorded, id };
}

/** The same enrollment on review with the details saved and the consent accepted (in German). */
async function onReview(who: FixtureKey, flow: Flow, options?: { captureFinger?: boolean }): Promise<RecordedScreen & { id: string }> {
  const recorded = await atDetails(who, flow, options);
  await view(recorded, 'enrollment.saveDetails', flow === 'person' ? PERSON_DETAILS : COMPANY_DETAILS);
  const { version: consentVersion } = outputOf<z.infer<typeof ConsentText>>(await call(recorded, 'enrollment.consentText', { language: 'de' }));
  expect((await view(recorded, 'enrollment.acceptConsent', { accepted: true, version: consentVersion, language: 'de' })).consent).not.toBeNull();
  return recorded;
}

function opened(recordId: string): OpenedRecord {
  return openSealedRecord(readEnvelope(kiosk.h.kiosk.db, recordId), {
    authoritySealingPrivateKey: authority.authority.keys.sealing.privateKey,
    kioskSigningPublicKey: kiosk.h.kiosk.provisioning.require().keys.signing.publicKey,
  });
}

describe('details step', () => {
  it('refuses invalid details field by field, keeps valid ones trimmed and moves on to the review', async () => {
    const early = await kiosk.screen('officer');
    await view(early, 'enrollment.start', { flow: 'person' });
    expect(errorOf(await call(early, 'enrollment.saveDetails', PERSON_DETAILS)).code).toBe('ENROLLMENT_WRONG_STEP');

    const recorded = await atDetails('officer', 'person');
    const start = auditHeadSeq(kiosk.h.kiosk);
    const issuePaths = async (details: Record<string, unknown>) => {
      const error = errorOf(await call(recorded, 'enrollment.saveDetails', details));
      expect(error.code).toBe('RPC_INVALID_INPUT');
      return [...new Set((error.details.issues as Array<{ path: string[] }>).map((issue) => issue.path.join('.')))];
    };
    expect(await issuePaths({ ...PERSON_DETAILS, phone: 'call me' })).toEqual(['phone']);
    expect(await issuePaths({ ...PERSON_DETAILS, phone: '+49 12' })).toEqual(['phone']);
    expect(await issuePaths({ ...PERSON_DETAILS, email: 'anna@' })).toEqual(['email']);
    expect(await issuePaths({ ...PERSON_DETAILS, address: ' ' })).toEqual(['address']);
    expect(await issuePaths({ ...PERSON_DETAILS, purposeNote: undefined })).toEqual(['purposeNote']);
    expect(await issuePaths({ ...PERSON_DETAILS, purpose: 'residence-registration' })).toEqual(['purposeNote']);
    expect(await issuePaths({ ...COMPANY_DETAILS, legalForm: 'trust' })).toEqual(['legalForm']);
    expect(errorOf(await call(recorded, 'enrollment.saveDetails', COMPANY_DETAILS)).code).toBe('ENROLLMENT_WRONG_FLOW');
    expect(auditRowsAfter(kiosk.h.kiosk, start)).toEqual([]);
    expect((await view(recorded, 'enrollment.current')).step).toBe('details');

    const saved = await view(recorded, 'enrollment.saveDetails', { ...PERSON_DETAILS, phone: undefined });
    expect(saved).toMatchObject({
      step: 'review',
      details: { ...PERSON_DETAILS, address: 'Storgatan 12\n111 51 Stockholm', phone: null, email: 'anna.eriksson@example.se' },
      consent: null,
    });
    expect(enrollmentState(recorded.id)).toBe('review');
    const back = await view(recorded, 'enrollment.editDetails');
    expect(back).toMatchObject({ step: 'details', details: saved.details });
    expect(enrollmentState(recorded.id)).toBe('details');
    expect(audited(auditRowsAfter(kiosk.h.kiosk, start))).toEqual([
      [recorded.screen.actor, 'enrollment.details-saved', { enrollmentId: recorded.id }],
      [recorded.screen.actor, 'enrollment.details-reopened', { enrollmentId: recorded.id }],
    ]);
  });
});

describe('consent', () => {
  it('serves one version in every language and keeps the version, language and time the person accepted', async () => {
    const texts = await Promise.all((['en', 'de', 'zh-CN'] as const).map(async (language) =>
      outputOf<z.infer<typeof ConsentText>>(await kiosk.h.call((await kiosk.screen(null)).screen, 'enrollment.consentText', { language }))));
    expect(new Set(texts.map((text) => text.version)).size).toBe(1);
    expect(new Set(texts.map((text) => text.text)).size).toBe(3);
    expect(texts.map((text) => text.language)).toEqual(['en', 'de', 'zh-CN']);
    const [{ version: current }] = texts as [z.infer<typeof ConsentText>];

    const recorded = await atDetails('officer', 'company');
    await view(recorded, 'enrollment.saveDetails', COMPANY_DETAILS);
    const start = auditHeadSeq(kiosk.h.kiosk);
    expect(errorOf(await call(recorded, 'enrollment.approve', { name: kiosk.h.operator('officer').name, pin: kiosk.h.operator('officer').pin })).code)
      .toBe('ENROLLMENT_NO_CONSENT');
    expect(failedAttempts('officer')).toBe(0);
    expect(errorOf(await call(recorded, 'enrollment.acceptConsent', { accepted: true, version: 'outdated', language: 'en' })))
      .toMatchObject({ code: 'ENROLLMENT_CONSENT_OUTDATED', details: { version: current } });
    expect(auditRowsAfter(kiosk.h.kiosk, start)).toEqual([]);

    const before = Date.now();
    const { consent } = await view(recorded, 'enrollment.acceptConsent', { accepted: true, version: current, language: 'zh-CN' });
    expect(consent).toEqual({ version: current, language: 'zh-CN', acceptedAt: expect.any(String) });
    expect(Date.parse(consent!.acceptedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await view(recorded, 'enrollment.acceptConsent', { accepted: false, version: current, language: 'zh-CN' })).consent).toBeNull();
    expect(audited(auditRowsAfter(kiosk.h.kiosk, start))).toEqual([
      [recorded.screen.actor, 'enrollment.consent', { enrollmentId: recorded.id, accepted: true, version: current, language: 'zh-CN' }],
      [recorded.screen.actor, 'enrollment.consent', { enrollmentId: recorded.id, accepted: false, version: current, language: 'zh-CN' }],
    ]);
  });
});

/** Left on review by the not-provisioned refusal; sealed once the kiosk is provisioned. */
let waiting: RecordedScreen & { id: string };

describe('approval before the kiosk is provisioned', () => {
  it('counts wrong PINs like failed logins, locks the officer after five, and saves nothing', async () => {
    const recorded = await onReview('target', 'person');
    const { id: targetId, pin, name } = kiosk.h.operator('target');
    const start = auditHeadSeq(kiosk.h.kiosk);
    expect(errorOf(await call(recorded, 'enrollment.approve', { name, pin })).code).toBe('ENROLLMENT_APPROVER_LOGGED_IN');
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(errorOf(await call(recorded, 'enrollment.approve', { pin: '000000' })).code).toBe('AUTH_FAILED');
      expect(failedAttempts('target')).toBe(attempt);
    }
    expect(errorOf(await call(recorded, 'enrollment.approve', { pin: '000000' })).code).toBe('AUTH_LOCKED');
    expect(errorOf(await call(recorded, 'enrollment.approve', { pin })).code).toBe('AUTH_LOCKED');

    const outcomes = audited(auditRowsAfter(kiosk.h.kiosk, start));
    expect(outcomes).toEqual([
      ...Array.from({ length: 5 }, () => [recorded.screen.actor, 'enrollment.approve', { enrollmentId: recorded.id, operatorId: targetId, outcome: 'failed' }]),
      [recorded.screen.actor, 'enrollment.approve', { enrollmentId: recorded.id, operatorId: targetId, outcome: 'locked' }],
    ]);
    expect((await view(recorded, 'enrollment.current')).step).toBe('review');
    expect(outboxRows()).toEqual([]);
  });

  it('refuses to seal with KIOSK_NOT_PROVISIONED, writes nothing and keeps the enrollment on review', async () => {
    waiting = await onReview('officer', 'person', { captureFinger: true });
    const start = auditHeadSeq(kiosk.h.kiosk);
    const error = errorOf(await call(waiting, 'enrollment.approve', { pin: kiosk.h.operator('officer').pin }));
    expect(error.code).toBe('KIOSK_NOT_PROVISIONED');
    expect(auditRowsAfter(kiosk.h.kiosk, start)).toEqual([]);
    expect(outboxRows()).toEqual([]);
    expect(enrollmentState(waiting.id)).toBe('review');
    expect(await view(waiting, 'enrollment.current')).toMatchObject({ id: waiting.id, step: 'review', consent: { language: 'de' } });
  });
});

describe('approval on a provisioned kiosk', () => {
  beforeAll(async () => {
    const technician = await kiosk.screen('technician');
    outputOf(await call(technician, 'provisioning.register', { authorityUrl: authority.url, token: await authority.token(), name: 'Review desk' }));
  });

  it('seals the person enrollment for the authority only after the PIN, ends it, and says where it is in the queue', async () => {
    const officer = kiosk.h.operator('officer');
    const start = auditHeadSeq(kiosk.h.kiosk);
    const before = Date.now();
    const sealed = outputOf<{ recordId: string; queueDepth: number }>(await call(waiting, 'enrollment.approve', { pin: officer.pin }));
    expect(sealed).toEqual({ recordId: expect.stringMatching(/^[0-9a-f-]{36}$/), queueDepth: 1 });
    expect(outboxRows()).toEqual([{ recordId: sealed.recordId, enrollmentId: waiting.id }]);
    expect(enrollmentState(waiting.id)).toBe('sealed');
    expect(await view(waiting, 'enrollment.current')).toBeNull();
    expect(errorOf(await call(waiting, 'enrollment.approve', { pin: officer.pin })).code).toBe('ENROLLMENT_NONE');

    const envelope = readEnvelope(kiosk.h.kiosk.db, sealed.recordId);
    expect(readSealedHeader(envelope)).toMatchObject({ recordId: sealed.recordId, kind: 'person-enrollment' });
    const { json, parts } = opened(sealed.recordId);
    const record = json as Record<string, never>;
    expect(record).toMatchObject({
      enrollmentId: waiting.id,
      flow: 'person',
      document: { type: 'TD3', source: 'mrz', fields: { surname: 'ERIKSSON', documentNumber: 'L898902C3' }, mrzLines: formatMrz(PASSPORT, 'TD3') },
      face: null,
      faceException: { reason: 'injured' },
      fingerprints: [
        { position: 2, quality: { score: expect.any(Number) }, qualityAccepted: true, isoRecordPart: 'finger-2.iso', templatePart: 'finger-2-template.bin' },
        { position: 7, exception: { reason: 'missing', note: FINGER_NOTE } },
      ],
      details: { ...PERSON_DETAILS, address: 'Storgatan 12\n111 51 Stockholm', email: 'anna.eriksson@example.se' },
      consent: { version: expect.any(String), language: 'de' },
      approvedBy: officer.id,
      kioskVersion: version,
    });
    expect(Date.parse(record.approvedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(parts.map((part) => [part.name, part.bytes.length])).toEqual([
      ['finger-2.iso', expect.any(Number)], ['finger-2-template.bin', 512],
    ]);
    expect(Buffer.from(parts[0]!.bytes.subarray(0, 4)).toString('latin1')).toBe('FIR\0');

    expect(audited(auditRowsAfter(kiosk.h.kiosk, start))).toEqual([
      [`operator:${officer.id}`, 'record.sealed', { recordId: sealed.recordId, kind: 'person-enrollment', size: expect.any(Number) }],
      [waiting.screen.actor, 'enrollment.approve', {
        enrollmentId: waiting.id, operatorId: officer.id, outcome: 'approved', recordId: sealed.recordId, kind: 'person-enrollment',
      }],
    ]);
    expectNoPersonalData(auditRowsAfter(kiosk.h.kiosk, 0));
  });

  it('lets any officer or supervisor approve a company registration with name and PIN, and no one else', async () => {
    const recorded = await onReview('officer', 'company');
    const supervisor = kiosk.h.operator('supervisor');
    const technician = kiosk.h.operator('technician');
    const start = auditHeadSeq(kiosk.h.kiosk);
    expect(errorOf(await call(recorded, 'enrollment.approve', { pin: supervisor.pin })).code).toBe('ENROLLMENT_APPROVER_NAME_MISSING');
    expect(errorOf(await call(recorded, 'enrollment.approve', { name: 'Nobody Known', pin: supervisor.pin })).code).toBe('AUTH_FAILED');
    expect(errorOf(await call(recorded, 'enrollment.approve', { name: technician.name, pin: technician.pin })).code)
      .toBe('ENROLLMENT_APPROVER_NOT_OFFICER');
    expect(outboxRows()).toHaveLength(1);

    const sealed = outputOf<{ recordId: string; queueDepth: number }>(
      await call(recorded, 'enrollment.approve', { name: supervisor.name, pin: supervisor.pin }));
    expect(sealed.queueDepth).toBe(2);
    expect(enrollmentState(recorded.id)).toBe('sealed');
    const { json, parts } = opened(sealed.recordId);
    expect(readSealedHeader(readEnvelope(kiosk.h.kiosk.db, sealed.recordId)).kind).toBe('company-registration');
    expect(json).toMatchObject({
      flow: 'company', fingerprints: null, faceException: { reason: 'injured' },
      details: { ...COMPANY_DETAILS, legalFormNote: null }, approvedBy: supervisor.id,
    });
    expect(parts).toEqual([]);
    expect(audited(auditRowsAfter(kiosk.h.kiosk, start)).map(([, action, details]) => [action, details.operatorId ?? null, details.outcome ?? null]))
      .toEqual([
        ['enrollment.approve', null, 'failed'],
        ['enrollment.approve', technician.id, 'not-an-officer'],
        ['record.sealed', null, null],
        ['enrollment.approve', supervisor.id, 'approved'],
      ]);
    expectNoPersonalData(auditRowsAfter(kiosk.h.kiosk, 0));
    expect(verifyAudit(kiosk.h.kiosk.db)).toMatchObject({ ok: true });
  });
});
