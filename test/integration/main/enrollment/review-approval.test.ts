// The details and review steps through a real kiosk on simulated devices, registered with a real
// authority: the details form's validation, the consent with its version, language and time,
// the approver's credential (a wrong PIN counts towards the lockout like a login; an enrollment
// with exceptions needs a supervisor besides the officer), a kiosk that is not provisioned yet
// refusing to start enrollments, and the sealed record, opened here with the authority's private
// key. Audit entries carry ids and outcomes, never the person's data, notes, document numbers,
// PINs or biometrics. (Four eyes and the review queue in depth: four-eyes-review.test.ts.)

import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrollmentNumber } from '../../../../protocol/enrollment-number.js';
import { generateSealingKeyPair } from '../../../../protocol/keys.js';
import { openSealedRecord, readSealedHeader, type OpenedRecord } from '../../../../protocol/sealed-record.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { version } from '../../../../main/kiosk/project-root.js';
import type { Enrollment } from '../../../../main/rpc/contract.js';
import type { ConsentText, SealedEnrollment } from '../../../../main/rpc/procedures/enrollment.js';
import { readEnvelope } from '../../../../main/store/outbox.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type FixtureKey, type RecordedScreen, type StoredAuditRow,
} from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { PASSPORT } from '../../../unit/main/enrollment/sample-documents.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

type EnrollmentView = z.infer<typeof Enrollment>;
type Sealed = z.infer<typeof SealedEnrollment>;
type Flow = 'person' | 'company';

const PERSON_DETAILS = {
  flow: 'person', address: '  Storgatan 12\n111 51 Stockholm ', phone: '+46 8 123 456 78', email: ' anna.eriksson@example.se ',
  purpose: 'other', purposeNote: 'Firearms licence renewal',
};
const COMPANY_DETAILS = {
  flow: 'company', companyName: 'Eriksson Bakery AB', registrationNumber: '556677-8899', legalForm: 'limited-company',
  registeredAddress: 'Marktplatz 3\n04109 Leipzig', role: 'director',
};
const FACE_NOTE = 'Burns dressing over the face';
const FINGER_NOTE = 'Lost in an accident';
const FACE_PHOTO = exceptionPhoto(70);
const FINGER_PHOTO = exceptionPhoto(200);
/** What must never reach the audit log: names, the document number, the details, notes, PINs. */
const PERSONAL = [
  'ERIKSSON', 'ANNA', 'L898902C3', 'Storgatan', 'example.se', '123 456', 'Firearms', 'Eriksson Bakery', '556677', 'Marktplatz',
  FACE_NOTE, FINGER_NOTE,
];

let kiosk: SimulatedKiosk;
let authority: Harness;
beforeAll(async () => {
  authority = await startHarness();
  kiosk = await openSimulatedKiosk({ provisioned: false });
  const technician = await kiosk.screen('technician');
  outputOf(await kiosk.h.call(technician.screen, 'provisioning.register', {
    authorityUrl: authority.url, token: await authority.token(), name: 'Review desk',
  }));
});
afterAll(async () => {
  await kiosk?.h.kiosk.sync.stop();
  await kiosk?.close();
  await authority?.close();
});

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const view = async (recorded: RecordedScreen, method: string, input: unknown = {}) => outputOf<EnrollmentView>(await call(recorded, method, input));
const ref = (key: FixtureKey) => {
  const { id, name, role } = kiosk.h.operator(key);
  return { id, name, role };
};
/** `key`'s name and PIN as an approver types them on someone else's screen. */
const pinOf = (key: FixtureKey, pin = kiosk.h.operator(key).pin) => ({ credential: { method: 'pin', name: kiosk.h.operator(key).name, pin } });
const failedAttempts = (key: FixtureKey) =>
  (kiosk.h.kiosk.db.prepare('SELECT failed_attempts FROM operators WHERE id = ?').get(kiosk.h.operator(key).id) as { failed_attempts: number }).failed_attempts;
const enrollmentState = (id: string) => (kiosk.h.kiosk.db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: string }).state;
const outboxRows = (enrollmentId: string) =>
  kiosk.h.kiosk.db.prepare('SELECT record_id AS recordId, enrollment_id AS enrollmentId FROM outbox WHERE enrollment_id = ?').all(enrollmentId);
const queueDepth = () => (kiosk.h.kiosk.db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'queued'").get() as { n: number }).n;
const audited = (rows: StoredAuditRow[]) =>
  rows.map((row): [string | null, string, Record<string, unknown>] => [row.actor, row.action, JSON.parse(row.details) as Record<string, unknown>]);

function expectNoPersonalData(rows: StoredAuditRow[]): void {
  const pins = Object.values(kiosk.h.operators).map((operator) => operator.pin);
  for (const row of rows) for (const secret of [...PERSONAL, ...pins]) expect(row.details, row.action).not.toContain(secret);
}

/**
 * A screen with an enrollment at the details step: passport accepted, face exception (with its
 * photo), and in the person flow finger 2 captured or excepted and finger 7 excepted. `who` null:
 * a business owner alone, who calls the officer to the screen for the face exception.
 */
async function atDetails(who: FixtureKey | null, flow: Flow, { captureFinger = false } = {}): Promise<RecordedScreen & { id: string }> {
  kiosk.fingers.liftFinger();
  const recorded = await kiosk.screen(who, captureFinger ? new SimulatedPerson('applicant') : undefined);
  const { id } = await view(recorded, 'enrollment.start', { flow });
  const now = new Date();
  kiosk.rig.documentReader!.emit('reading', { kind: 'mrz', at: now, result: parseMrz(formatMrz(PASSPORT, 'TD3'), { now }) });
  const { pendingRead } = await view(recorded, 'enrollment.current');
  await view(recorded, 'enrollment.acceptDocument', { readId: pendingRead!.readId });
  if (who === null) await view(recorded, 'enrollment.callOfficer', pinOf('officer'));
  await view(recorded, 'enrollment.recordFaceException', { reason: 'injured', note: FACE_NOTE, photo: FACE_PHOTO });
  if (flow === 'person') {
    if (captureFinger) await view(recorded, 'fingerprint.capture', { position: 2 });
    else await view(recorded, 'fingerprint.recordException', { position: 2, reason: 'bandaged', note: 'plaster cast', photo: FINGER_PHOTO });
    await view(recorded, 'fingerprint.recordException', { position: 7, reason: 'missing', note: FINGER_NOTE, photo: FINGER_PHOTO });
    await view(recorded, 'fingerprint.finish');
  }
  expect(await view(recorded, 'enrollment.current')).toMatchObject({ step: 'details', assistedBy: null });
  return { ...recorded, id };
}

/** The same enrollment on review with the details saved and the consent accepted (in German). */
async function onReview(who: FixtureKey | null, flow: Flow, options?: { captureFinger?: boolean }): Promise<RecordedScreen & { id: string }> {
  const recorded = await atDetails(who, flow, options);
  await view(recorded, 'enrollment.saveDetails', flow === 'person' ? PERSON_DETAILS : COMPANY_DETAILS);
  const { version: consentVersion } = outputOf<z.infer<typeof ConsentText>>(await call(recorded, 'enrollment.consentText', { language: 'de' }));
  expect((await view(recorded, 'enrollment.acceptConsent', { accepted: true, version: consentVersion, language: 'de' })).consent).not.toBeNull();
  return recorded;
}

function opened(recordId: string, authoritySealingPrivateKey = authority.authority.keys.sealing.privateKey): OpenedRecord {
  return openSealedRecord(readEnvelope(kiosk.h.kiosk.db, recordId), {
    authoritySealingPrivateKey,
    kioskSigningPublicKey: kiosk.h.kiosk.provisioning.require().keys.signing.publicKey,
  });
}

describe('a kiosk not provisioned yet', () => {
  it('refuses to start enrollments, writing nothing, until a technician registers it with the authority', async () => {
    const fresh = await openKioskHarness({ provisioned: false });
    try {
      const officer = await fresh.loggedIn('officer');
      const owner = fresh.openScreen();
      const start = auditHeadSeq(fresh.kiosk);
      for (const [recorded, flow] of [[officer, 'person'], [owner, 'company']] as const) {
        expect(errorOf(await fresh.call(recorded.screen, 'enrollment.start', { flow }))).toMatchObject({
          code: 'KIOSK_NOT_PROVISIONED', message: expect.stringContaining('technician'),
        });
        expect(outputOf(await fresh.call(recorded.screen, 'enrollment.current'))).toBeNull();
      }
      expect(fresh.kiosk.db.prepare('SELECT count(*) AS n FROM enrollments').get()).toEqual({ n: 0 });
      expect(auditRowsAfter(fresh.kiosk, start)).toEqual([]);
      expect(outputOf(await fresh.call(owner.screen, 'system.status'))).toMatchObject({ enrollmentBlocked: 'not-provisioned' });

      const technician = await fresh.loggedIn('technician');
      outputOf(await fresh.call(technician.screen, 'provisioning.register', {
        authorityUrl: authority.url, token: await authority.token(), name: 'Second desk',
      }));
      // Every screen hears that enrollments may start now.
      expect(owner.events.filter((e) => e.name === 'system.statusChanged').at(-1)?.payload).toMatchObject({ enrollmentBlocked: null });
      expect(outputOf(await fresh.call(officer.screen, 'enrollment.start', { flow: 'person' }))).toMatchObject({ state: 'document' });
      expect(outputOf(await fresh.call(owner.screen, 'enrollment.start', { flow: 'company' }))).toMatchObject({ state: 'document' });
    } finally {
      await fresh.kiosk.sync.stop();
      fresh.close();
    }
  });
});

describe('details step', () => {
  it('refuses invalid details field by field, keeps valid ones trimmed and moves on to the review', async () => {
    const early = await kiosk.screen('officer');
    await view(early, 'enrollment.start', { flow: 'person' });
    expect(errorOf(await call(early, 'enrollment.saveDetails', PERSON_DETAILS)).code).toBe('ENROLLMENT_WRONG_STEP');
    outputOf(await call(early, 'enrollment.cancel'));

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
    outputOf(await call(recorded, 'enrollment.cancel'));
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
    // No consent yet: refused before the credential is looked at, so no attempt is spent.
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('supervisor', '000000'))).code).toBe('ENROLLMENT_NO_CONSENT');
    expect(errorOf(await call(recorded, 'enrollment.holdForReview')).code).toBe('ENROLLMENT_NO_CONSENT');
    expect(failedAttempts('supervisor')).toBe(0);
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
      // An untick is audited without its version: only the current one is, when accepted (an untick may carry any text).
      [recorded.screen.actor, 'enrollment.consent', { enrollmentId: recorded.id, accepted: false, version: null, language: 'zh-CN' }],
    ]);
    outputOf(await call(recorded, 'enrollment.cancel'));
  });
});

describe("the approver's PIN", () => {
  it('counts wrong PINs like failed logins, locks the officer after five, and saves nothing', async () => {
    const recorded = await onReview('target', 'person');
    const { id: targetId, pin } = kiosk.h.operator('target');
    const start = auditHeadSeq(kiosk.h.kiosk);
    // Without a name the PIN is the logged-in officer's.
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin: '000000' } })).code).toBe('AUTH_FAILED');
      expect(failedAttempts('target')).toBe(attempt);
    }
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin: '000000' } })).code).toBe('AUTH_LOCKED');
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin } })).code).toBe('AUTH_LOCKED');

    expect(audited(auditRowsAfter(kiosk.h.kiosk, start))).toEqual([
      ...Array.from({ length: 5 }, () => [recorded.screen.actor, 'enrollment.approve', { enrollmentId: recorded.id, operatorId: targetId, outcome: 'failed' }]),
      [recorded.screen.actor, 'enrollment.approve', { enrollmentId: recorded.id, operatorId: targetId, outcome: 'locked' }],
    ]);
    expect((await view(recorded, 'enrollment.current')).step).toBe('review');
    expect(enrollmentState(recorded.id)).toBe('review');
    expect(outboxRows(recorded.id)).toEqual([]);
    outputOf(await call(recorded, 'enrollment.cancel'));
  });
});

describe('sealing for the authority', () => {
  it('seals a person enrollment with exceptions once a supervisor approves it, for the authority only, and ends it', async () => {
    const recorded = await onReview('officer', 'person', { captureFinger: true });
    expect(await view(recorded, 'enrollment.current')).toMatchObject({ secondApproval: ['face-exception', 'finger-exception'] });
    const officer = kiosk.h.operator('officer');
    const supervisor = kiosk.h.operator('supervisor');
    const start = auditHeadSeq(kiosk.h.kiosk);
    const depth = queueDepth();

    // The officer who ran it may not approve it alone; a supervisor's wrong PIN counts against the supervisor.
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin: officer.pin } })))
      .toMatchObject({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED', details: { reasons: ['face-exception', 'finger-exception'] } });
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('supervisor', '000000'))).code).toBe('AUTH_FAILED');
    expect(failedAttempts('supervisor')).toBe(1);
    expect(outboxRows(recorded.id)).toEqual([]);
    expect(enrollmentState(recorded.id)).toBe('review');

    const before = Date.now();
    const sealed = outputOf<Sealed>(await call(recorded, 'enrollment.approve', pinOf('supervisor')));
    expect(sealed).toEqual({ recordId: expect.stringMatching(/^[0-9a-f-]{36}$/), number: expect.any(String), queueDepth: depth + 1 });
    // The kiosk's code (given by the authority at registration) and today's first number here.
    expect(parseEnrollmentNumber(sealed.number)).toMatchObject({
      ok: true, parts: { kioskCode: kiosk.h.kiosk.provisioning.require().identity.code, sequence: 1 },
    });
    expect(failedAttempts('supervisor')).toBe(0);
    expect(outboxRows(recorded.id)).toEqual([{ recordId: sealed.recordId, enrollmentId: recorded.id }]);
    expect(enrollmentState(recorded.id)).toBe('sealed');
    expect(await view(recorded, 'enrollment.current')).toBeNull();
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('supervisor'))).code).toBe('ENROLLMENT_NONE');

    const envelope = readEnvelope(kiosk.h.kiosk.db, sealed.recordId);
    expect(readSealedHeader(envelope)).toMatchObject({ recordId: sealed.recordId, kind: 'person-enrollment' });
    expect(() => opened(sealed.recordId, generateSealingKeyPair().privateKey)).toThrow();
    const { json, parts } = opened(sealed.recordId);
    const record = json as Record<string, never>;
    expect(Object.keys(record).sort()).toEqual([
      'approval', 'consent', 'details', 'document', 'enrollmentId', 'face', 'faceException', 'fingerprints', 'flow', 'kioskVersion', 'number',
      'ranBy', 'registration',
    ]);
    expect(record).toMatchObject({
      enrollmentId: recorded.id,
      number: sealed.number,
      flow: 'person',
      ranBy: ref('officer'),
      document: {
        type: 'TD3', source: 'mrz', fields: { surname: 'ERIKSSON', documentNumber: 'L898902C3' }, mrzLines: formatMrz(PASSPORT, 'TD3'),
        cardPhotoPart: null, acceptedBy: ref('officer'),
      },
      face: null,
      faceException: { reason: 'injured', note: FACE_NOTE, by: ref('officer'), at: expect.any(String), photoPart: 'face-exception.jpg' },
      fingerprints: [
        {
          position: 2, quality: { score: expect.any(Number) }, qualityAccepted: true, duplicateOf: null, capturedBy: ref('officer'),
          isoRecordPart: 'finger-2.iso', templatePart: 'finger-2-template.bin',
        },
        { position: 7, exception: { reason: 'missing', note: FINGER_NOTE, by: ref('officer'), at: expect.any(String), photoPart: 'finger-7-exception.jpg' } },
      ],
      details: { ...PERSON_DETAILS, address: 'Storgatan 12\n111 51 Stockholm', email: 'anna.eriksson@example.se' },
      registration: null,
      consent: { version: expect.any(String), language: 'de' },
      approval: {
        by: ref('supervisor'), method: 'pin', secondApproval: { required: true, reasons: ['face-exception', 'finger-exception'] }, heldForReview: null,
      },
      kioskVersion: version,
    });
    expect(Date.parse((record.approval as { at: string }).at)).toBeGreaterThanOrEqual(before - 1000);
    expect(parts.map((part) => [part.name, part.bytes.length])).toEqual([
      ['face-exception.jpg', expect.any(Number)], ['finger-2.iso', expect.any(Number)], ['finger-2-template.bin', 512],
      ['finger-7-exception.jpg', expect.any(Number)],
    ]);
    expect(Buffer.from(parts[0]!.bytes)).toEqual(Buffer.from(FACE_PHOTO, 'base64'));
    expect(Buffer.from(parts[1]!.bytes.subarray(0, 4)).toString('latin1')).toBe('FIR\0');
    expect(Buffer.from(parts[3]!.bytes)).toEqual(Buffer.from(FINGER_PHOTO, 'base64'));

    expect(audited(auditRowsAfter(kiosk.h.kiosk, start))).toEqual([
      [recorded.screen.actor, 'enrollment.approve', {
        enrollmentId: recorded.id, operatorId: officer.id, outcome: 'refused', refusal: 'ENROLLMENT_SECOND_APPROVER_REQUIRED',
      }],
      [recorded.screen.actor, 'enrollment.approve', { enrollmentId: recorded.id, operatorId: supervisor.id, outcome: 'failed' }],
      [`operator:${supervisor.id}`, 'record.sealed', { recordId: sealed.recordId, number: sealed.number, kind: 'person-enrollment', size: expect.any(Number) }],
      [recorded.screen.actor, 'enrollment.approve', {
        enrollmentId: recorded.id, operatorId: supervisor.id, outcome: 'approved',
        secondApproval: ['face-exception', 'finger-exception'], recordId: sealed.recordId, number: sealed.number, kind: 'person-enrollment',
      }],
    ]);
    expect(kiosk.h.kiosk.db.prepare('SELECT decided_by, second_approval, record_id FROM enrollments WHERE id = ?').get(recorded.id)).toEqual({
      decided_by: supervisor.id, second_approval: JSON.stringify(['face-exception', 'finger-exception']), record_id: sealed.recordId,
    });
    expectNoPersonalData(auditRowsAfter(kiosk.h.kiosk, 0));
  });

  it("seals a business owner's company registration with a supervisor's name and PIN, and no one else's", async () => {
    const recorded = await onReview(null, 'company');
    const { officer, supervisor, technician } = { officer: ref('officer'), supervisor: ref('supervisor'), technician: ref('technician') };
    const start = auditHeadSeq(kiosk.h.kiosk);
    const depth = queueDepth();
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin: kiosk.h.operator('supervisor').pin } })).code)
      .toBe('ENROLLMENT_APPROVER_NAME_MISSING');
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', name: 'Nobody Known', pin: '482913' } })).code)
      .toBe('AUTH_FAILED');
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('technician'))).code).toBe('ENROLLMENT_APPROVER_NOT_OFFICER');
    // The officer called to the screen recorded the face exception: they took part, so they cannot be the second pair of eyes.
    expect(errorOf(await call(recorded, 'enrollment.approve', pinOf('officer'))).code).toBe('ENROLLMENT_SECOND_APPROVER_REQUIRED');
    expect(outboxRows(recorded.id)).toEqual([]);

    const sealed = outputOf<Sealed>(await call(recorded, 'enrollment.approve', pinOf('supervisor')));
    expect(sealed.queueDepth).toBe(depth + 1);
    expect(enrollmentState(recorded.id)).toBe('sealed');
    expect(readSealedHeader(readEnvelope(kiosk.h.kiosk.db, sealed.recordId)).kind).toBe('company-registration');
    const { json, parts } = opened(sealed.recordId);
    expect(json).toMatchObject({
      flow: 'company', ranBy: null, document: { acceptedBy: null }, fingerprints: null,
      faceException: { reason: 'injured', note: FACE_NOTE, by: officer, photoPart: 'face-exception.jpg' },
      details: { ...COMPANY_DETAILS, legalFormNote: null },
      registration: { company: { name: COMPANY_DETAILS.companyName }, owner: { role: 'director', identity: { surname: 'ERIKSSON' } } },
      approval: { by: supervisor, method: 'pin', secondApproval: { required: true, reasons: ['face-exception'] }, heldForReview: null },
    });
    expect(parts.map((part) => part.name)).toEqual(['face-exception.jpg']);
    expect(audited(auditRowsAfter(kiosk.h.kiosk, start)).map(([actor, action, details]) => [actor, action, details.operatorId ?? null, details.outcome ?? null]))
      .toEqual([
        ['anonymous', 'enrollment.approve', null, 'failed'],
        ['anonymous', 'enrollment.approve', technician.id, 'not-an-officer'],
        ['anonymous', 'enrollment.approve', officer.id, 'refused'],
        [`operator:${supervisor.id}`, 'record.sealed', null, null],
        ['anonymous', 'enrollment.approve', supervisor.id, 'approved'],
      ]);
    expectNoPersonalData(auditRowsAfter(kiosk.h.kiosk, 0));
    expect(verifyAudit(kiosk.h.kiosk.db)).toMatchObject({ ok: true });
  });
});
