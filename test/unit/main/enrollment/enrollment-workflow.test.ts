// The enrollment workflow against an in-memory store and hand-made screens: what a restarted
// kiosk abandons (dropping the held envelope of a row it abandons), when no enrollment may
// start, how `check` refuses (wrong step, wrong firer, four eyes), that `apply` commits the
// change, the row and the audit entry together and only then moves the aggregate and tells its
// screen, and refuses a row that moved behind the kiosk's back; how held enrollments are opened,
// and that another row's envelope copied into a row is refused.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendAudit, listAudit } from '../../../../main/audit/audit-log.js';
import { ScreenSession, type SessionOperator } from '../../../../main/auth/screen-session.js';
import { silentLog } from '../../../../main/log.js';
import { EnrollmentWorkflow, type Actor, type Commit } from '../../../../main/enrollment/enrollment-workflow.js';
import type { OperatorRefView } from '../../../../main/enrollment/exception-evidence.js';
import { sealHeldEnrollment } from '../../../../main/enrollment/held-enrollment.js';
import type { StationSettings } from '../../../../main/kiosk/station-settings.js';
import type { EventName } from '../../../../main/rpc/contract.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import {
  faceException, fingerCapture, fingerException, kioskCredentials, OFFICER, onReview, passportRead, SECOND_OFFICER, SUPERVISOR,
} from './sample-enrollments.js';

const NOW = new Date('2024-06-15T12:00:00Z');
const CREDENTIALS = kioskCredentials();

beforeEach(() => {
  vi.useFakeTimers(); // the screens' idle countdowns never fire on their own
});
afterEach(() => {
  vi.useRealTimers();
});

function kiosk({ provisioned = true, settings = {} }: { provisioned?: boolean; settings?: Partial<StationSettings> } = {}) {
  const db = openDatabase(':memory:');
  const operator = db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)');
  for (const { id, name, role } of [OFFICER, SECOND_OFFICER, SUPERVISOR]) operator.run(id, name, role, 'h', NOW.toISOString());
  const station: StationSettings = {
    idleTimeoutSeconds: 120, idleWarningSeconds: 30, defaultLanguage: 'en', secondApprover: 'supervisor', alwaysSecondApproval: [],
    heldEnrollmentLimit: 20, heldEnrollmentMaxAgeHours: 24, sealedRetentionHours: 168, slipPrinter: null, slipFolder: null, ...settings,
  };
  const changed = vi.fn();
  const workflow = new EnrollmentWorkflow({
    db, now: () => NOW, settings: () => station, credentials: () => (provisioned ? CREDENTIALS : null), fingers: () => [2, 7], changed, log: silentLog,
  });
  return { db, workflow, changed };
}

/** An RPC procedure's commit: the change and its audit entry under `action`, in one transaction. */
const commitAs = (db: Db, action: string, actor = 'test'): Commit => (change, details) => db.transaction(() => {
  const result = change();
  appendAudit(db, { actor, action, details: details?.(result) ?? {}, at: NOW });
  return result;
})();

function screen(operator: SessionOperator | null = null) {
  const events: Array<[EventName, unknown]> = [];
  const session = new ScreenSession({ idleTimeoutSeconds: () => 120, idleWarningSeconds: () => 30, emit: (name, payload) => { events.push([name, payload]); }, onIdleExpire: () => {} });
  if (operator) session.login(operator);
  return { session, events };
}

const asSession = (ref: OperatorRefView): SessionOperator => ({ ...ref, via: 'pin' });
const operatorActor = (operator: OperatorRefView): Actor => ({ kind: 'operator', operator });
const PERSON: Actor = { kind: 'person' };
const enrollmentRow = (db: Db, id: string) => db.prepare('SELECT state, operator_id FROM enrollments WHERE id = ?').get(id);
const actions = (db: Db) => listAudit(db).map((entry) => [entry.action, entry.details]);

describe('EnrollmentWorkflow.recover', () => {
  it('abandons what a stopped kiosk left on a capture step, audited as the kiosk\'s, and nothing else', () => {
    const { db, workflow } = kiosk();
    for (const [id, state] of [['e-face', 'face'], ['e-review', 'review'], ['e-held', 'awaiting-review'], ['e-sealed', 'sealed']] as const) {
      workflow.repository.insert({ id, flow: 'person', state, ranBy: 3, at: NOW.toISOString() });
    }
    expect(workflow.recover()).toBe(2);
    expect(['e-face', 'e-review', 'e-held', 'e-sealed'].map((id) => workflow.repository.state(id))).toEqual(['abandoned', 'abandoned', 'awaiting-review', 'sealed']);
    expect(listAudit(db).map(({ actor, action, details }) => ({ actor, action, details }))).toEqual([
      { actor: 'system', action: 'enrollment.abandoned', details: { enrollmentId: 'e-face', reason: 'kiosk-restarted' } },
      { actor: 'system', action: 'enrollment.abandoned', details: { enrollmentId: 'e-review', reason: 'kiosk-restarted' } },
    ]);
    expect(workflow.recover()).toBe(0);
  });

  it('drops the held envelope of a row it abandons (a row set back to a step behind the kiosk\'s back)', () => {
    const { db, workflow } = kiosk();
    for (const id of ['e-review', 'e-held']) {
      workflow.repository.insert({ id, flow: 'person', state: 'review', ranBy: 3, at: NOW.toISOString() });
      workflow.repository.hold(id, { envelope: Buffer.from(`sealed ${id}`), at: NOW.toISOString(), by: 3, reasons: ['finger-exception'] });
    }
    workflow.repository.setState('e-held', 'awaiting-review', NOW.toISOString());
    expect(workflow.recover()).toBe(1);
    expect(workflow.repository.state('e-review')).toBe('abandoned');
    expect(db.prepare('SELECT enrollment_id FROM held_enrollments').all()).toEqual([{ enrollment_id: 'e-held' }]);
  });
});

describe('EnrollmentWorkflow.gate and start', () => {
  it('refuses to start before the kiosk is provisioned, writing nothing', () => {
    const { db, workflow } = kiosk({ provisioned: false });
    expect(workflow.gate()).toBe('not-provisioned');
    const { session } = screen(asSession(OFFICER));
    expect(() => workflow.start(session, 'person', commitAs(db, 'enrollment.start'))).toThrow(expect.objectContaining({ code: 'KIOSK_NOT_PROVISIONED' }));
    expect(workflow.of(session)).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM enrollments').get()).toEqual({ n: 0 });
  });

  it('refuses to start while as many enrollments as the limit wait for a supervisor', () => {
    const { db, workflow } = kiosk({ settings: { heldEnrollmentLimit: 2 } });
    for (const id of ['h-1', 'h-2']) workflow.repository.insert({ id, flow: 'company', state: 'awaiting-review', ranBy: null, at: NOW.toISOString() });
    expect(workflow.gate()).toBe('held-limit');
    const { session } = screen();
    expect(() => workflow.start(session, 'company', commitAs(db, 'enrollment.start')))
      .toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_LIMIT', details: { limit: 2 } }));
    workflow.repository.setState('h-2', 'rejected', NOW.toISOString());
    expect(workflow.gate()).toBeNull();
    expect(workflow.start(session, 'company', commitAs(db, 'enrollment.start')).state).toBe('document');
  });

  it('starts an enrollment for the screen, run by the operator logged in, with its row and audit entry', () => {
    const { db, workflow } = kiosk();
    const { session } = screen(asSession(OFFICER));
    const enrollment = workflow.start(session, 'person', commitAs(db, 'enrollment.start', session.actor));
    expect(workflow.of(session)).toBe(enrollment);
    expect(workflow.require(session)).toBe(enrollment);
    expect(enrollment).toMatchObject({ flow: 'person', ranBy: OFFICER, state: 'document', startedAt: NOW.toISOString() });
    expect(enrollment.fingerprints?.requested).toEqual([2, 7]);
    expect(enrollmentRow(db, enrollment.id)).toEqual({ state: 'document', operator_id: OFFICER.id });
    expect(actions(db)).toEqual([['enrollment.start', { enrollmentId: enrollment.id, flow: 'person' }]]);
  });

  it('abandons the screen\'s earlier enrollment when it starts another', () => {
    const { db, workflow } = kiosk();
    const { session } = screen();
    const first = workflow.start(session, 'company', commitAs(db, 'enrollment.start'));
    const second = workflow.start(session, 'company', commitAs(db, 'enrollment.start'));
    expect(workflow.of(session)).toBe(second);
    expect(first.state).toBe('abandoned');
    expect(first.closed.aborted).toBe(true);
    expect(actions(db)).toContainEqual(['enrollment.abandoned', { enrollmentId: first.id, reason: 'restarted' }]);
  });

  it('abandons the enrollment when its screen\'s session ends, as the operator who was logged in', () => {
    const { db, workflow, changed } = kiosk();
    const { session } = screen(asSession(OFFICER));
    const enrollment = workflow.start(session, 'person', commitAs(db, 'enrollment.start'));
    session.end('logout');
    expect(enrollment.state).toBe('abandoned');
    expect(workflow.of(session)).toBeNull();
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'abandoned' });
    expect(listAudit(db).at(-1)).toMatchObject({ actor: 'operator:3', action: 'enrollment.abandoned', details: { enrollmentId: enrollment.id, reason: 'session-ended' } });
    expect(changed).toHaveBeenCalled();
  });

  it('answers a screen without an enrollment with ENROLLMENT_NONE', () => {
    const { workflow } = kiosk();
    expect(() => workflow.require(screen().session)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NONE' }));
  });
});

describe('EnrollmentWorkflow.check', () => {
  it('refuses an event the enrollment\'s state does not take', () => {
    const { workflow } = kiosk();
    expect(() => workflow.check(onReview('person'), 'document-accepted', PERSON))
      .toThrow(expect.objectContaining({ code: 'ENROLLMENT_WRONG_STEP', details: { state: 'review', event: 'document-accepted' } }));
  });

  it('refuses a firer the table does not name', () => {
    const { workflow } = kiosk();
    const atFace = onReview('company');
    atFace.enter('face');
    expect(() => workflow.check(atFace, 'face-exception', PERSON)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_OFFICER_REQUIRED' }));
    expect(() => workflow.check(onReview('company'), 'approved', PERSON)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_APPROVER_NOT_OFFICER' }));
    const technician = operatorActor({ id: 9, name: 'Tim', role: 'technician' });
    expect(() => workflow.check(onReview('company'), 'held', technician)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_APPROVER_NOT_OFFICER' }));
    expect(() => workflow.check(onReview('company'), 'abandoned', operatorActor(SUPERVISOR))).toThrow(expect.objectContaining({ code: 'ENROLLMENT_OFFICER_REQUIRED' }));
    expect(workflow.check(atFace, 'face-exception', operatorActor(OFFICER)).to).toBe('details');
  });

  it('lets the officer who ran a clean enrollment approve it alone', () => {
    const { workflow } = kiosk();
    expect(workflow.check(onReview('person'), 'approved', operatorActor(OFFICER)).to).toBe('sealed');
  });

  it('applies the four-eyes guard with the station\'s second-approver setting', () => {
    const withException = () => onReview('person', { fingers: [fingerCapture(2), fingerException(7)] });
    const strict = kiosk().workflow;
    expect(() => strict.check(withException(), 'approved', operatorActor(OFFICER))).toThrow(expect.objectContaining({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED' }));
    expect(() => strict.check(withException(), 'approved', operatorActor(SECOND_OFFICER))).toThrow(expect.objectContaining({ code: 'ENROLLMENT_SUPERVISOR_REQUIRED' }));
    expect(strict.check(withException(), 'approved', operatorActor(SUPERVISOR)).to).toBe('sealed');
    const lenient = kiosk({ settings: { secondApprover: 'supervisor-or-officer' } }).workflow;
    expect(lenient.check(withException(), 'approved', operatorActor(SECOND_OFFICER)).to).toBe('sealed');
    expect(() => lenient.check(withException(), 'approved', operatorActor(OFFICER))).toThrow(expect.objectContaining({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED' }));
  });

  it('adds the station\'s rule to the enrollments of the flows it names', () => {
    const { db, workflow } = kiosk({ settings: { alwaysSecondApproval: ['company'] } });
    const company = workflow.start(screen().session, 'company', commitAs(db, 'enrollment.start'));
    const person = workflow.start(screen(asSession(OFFICER)).session, 'person', commitAs(db, 'enrollment.start'));
    expect(company.secondApproval()).toEqual(['station-rule']);
    expect(company.view().secondApproval).toEqual(['station-rule']);
    expect(person.secondApproval()).toEqual([]);
  });
});

describe('EnrollmentWorkflow.apply', () => {
  function onDocument() {
    const k = kiosk();
    const { session, events } = screen(asSession(OFFICER));
    const enrollment = k.workflow.start(session, 'person', commitAs(k.db, 'enrollment.start'));
    return { ...k, session, events, enrollment };
  }

  it('commits the change, the row and the audit entry together, then moves the aggregate and tells its screen', () => {
    const { db, workflow, session, events, enrollment } = onDocument();
    const capture = passportRead();
    enrollment.offerRead(capture);
    const seen: unknown[] = [];
    workflow.apply(enrollment, 'document-accepted', {
      actor: operatorActor(OFFICER),
      commit: commitAs(db, 'enrollment.document-accepted', session.actor),
      change: () => {
        seen.push([db.inTransaction, enrollment.state]);
        enrollment.setDocument({ ...enrollment.pendingReadToAccept(capture.view.readId, false), by: OFFICER });
      },
      details: () => ({ correctionApplied: false }),
    });
    expect(seen).toEqual([[true, 'document']]);
    expect(enrollment.state).toBe('face');
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'face' });
    expect(listAudit(db).at(-1)).toMatchObject({
      actor: 'operator:3', action: 'enrollment.document-accepted', details: { enrollmentId: enrollment.id, correctionApplied: false },
    });
    expect(events.at(-1)).toEqual(['enrollment.changed', enrollment.view()]);
  });

  it('moves nothing when the change fails: no state, no row, no audit entry', () => {
    const { db, workflow, session, enrollment } = onDocument();
    const before = listAudit(db).length;
    expect(() => workflow.apply(enrollment, 'document-accepted', {
      actor: operatorActor(OFFICER),
      commit: commitAs(db, 'enrollment.document-accepted', session.actor),
      change: () => enrollment.pendingReadToAccept('no-such-read', false),
    })).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NO_SUCH_READ' }));
    expect(enrollment.state).toBe('document');
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'document' });
    expect(listAudit(db)).toHaveLength(before);
  });

  it('refuses to move a row that changed behind the kiosk\'s back: no state, no row, no audit entry, and the screen lets it go', () => {
    const { db, workflow, session, events, enrollment } = onDocument();
    const capture = passportRead();
    enrollment.offerRead(capture);
    workflow.repository.setState(enrollment.id, 'cancelled', NOW.toISOString());
    const before = listAudit(db).length;
    const emitted = events.length;
    expect(() => workflow.apply(enrollment, 'document-accepted', {
      actor: operatorActor(OFFICER),
      commit: commitAs(db, 'enrollment.document-accepted', session.actor),
      change: () => enrollment.setDocument({ ...enrollment.pendingReadToAccept(capture.view.readId, false), by: OFFICER }),
    })).toThrow(expect.objectContaining({ code: 'ENROLLMENT_STATE_CONFLICT', details: { id: enrollment.id, from: 'document', to: 'face' } }));
    expect(enrollment.state).toBe('document');
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'cancelled' });
    expect(listAudit(db)).toHaveLength(before);
    expect(events).toHaveLength(emitted);
    // What the screen held is no longer the enrollment the store knows: its captures go.
    expect(workflow.of(session)).toBeNull();
    expect(enrollment.closed.aborted).toBe(true);
  });

  it('abandons without failing when the row moved behind the kiosk\'s back: the screen ends and its captures go, the row stays', () => {
    const { db, workflow, session, enrollment } = onDocument();
    enrollment.offerRead(passportRead());
    workflow.repository.setState(enrollment.id, 'cancelled', NOW.toISOString());
    const before = listAudit(db).length;
    expect(() => session.end('idle')).not.toThrow();
    expect(workflow.of(session)).toBeNull();
    expect(enrollment.closed.aborted).toBe(true);
    expect(enrollment.view().pendingRead).toBeNull();
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'cancelled' });
    expect(listAudit(db)).toHaveLength(before);
  });

  it('releases the screen, drops the captures and tells the status bar when the enrollment leaves its steps', () => {
    const { db, workflow, session, enrollment, changed } = onDocument();
    changed.mockClear();
    enrollment.offerRead(passportRead());
    workflow.apply(enrollment, 'cancelled', { actor: PERSON, commit: commitAs(db, 'enrollment.cancel') });
    expect(enrollment.state).toBe('cancelled');
    expect(enrollment.closed.aborted).toBe(true);
    expect(enrollment.view().pendingRead).toBeNull();
    expect(workflow.of(session)).toBeNull();
    expect(changed).toHaveBeenCalledTimes(1);
    session.end('logout'); // the screen's end no longer abandons what has ended already
    expect(enrollmentRow(db, enrollment.id)).toMatchObject({ state: 'cancelled' });
  });

  it('ends the officer\'s help on a business owner\'s screen when the face step is left', () => {
    const { db, workflow } = kiosk();
    const { session } = screen();
    const enrollment = workflow.start(session, 'company', commitAs(db, 'enrollment.start'));
    enrollment.offerRead(passportRead());
    workflow.apply(enrollment, 'document-accepted', {
      actor: PERSON, commit: commitAs(db, 'enrollment.document-accepted'),
      change: () => enrollment.setDocument({ ...enrollment.pendingReadToAccept(enrollment.view().pendingRead!.readId, false), by: null }),
    });
    session.assist(asSession(SECOND_OFFICER));
    enrollment.assistedBy = SECOND_OFFICER;
    workflow.apply(enrollment, 'face-exception', {
      actor: operatorActor(SECOND_OFFICER), commit: commitAs(db, 'enrollment.face-exception', session.actor),
      change: () => enrollment.setFaceException(faceException(SECOND_OFFICER)),
    });
    expect(enrollment.state).toBe('details');
    expect(enrollment.assistedBy).toBeNull();
    expect(session.assistant).toBeNull();
    expect(session.officerPresent).toBe(false);
  });
});

describe('EnrollmentWorkflow reads', () => {
  it('delivers a read to the screens on the document step, or only to the one named', () => {
    const { db, workflow } = kiosk();
    const a = screen();
    const b = screen();
    const onA = workflow.start(a.session, 'company', commitAs(db, 'enrollment.start'));
    const onB = workflow.start(b.session, 'company', commitAs(db, 'enrollment.start'));
    const first = passportRead();
    workflow.deliverCapture(first);
    expect([onA.view().pendingRead, onB.view().pendingRead]).toEqual([first.view, first.view]);
    const second = passportRead();
    workflow.deliverCapture(second, b.session);
    expect([onA.view().pendingRead, onB.view().pendingRead]).toEqual([first.view, second.view]);
    workflow.deliverFailure({ at: NOW.toISOString(), code: 'MRZ_FRAME_CUT', message: 'Read it again.' }, a.session);
    expect([onA.view().readFailure?.code, onB.view().readFailure]).toEqual(['MRZ_FRAME_CUT', null]);
    expect(b.events.filter(([name]) => name === 'enrollment.changed')).toHaveLength(2);
  });
});

describe('EnrollmentWorkflow held enrollments', () => {
  function held() {
    const k = kiosk();
    const enrollment = onReview('person', { fingers: [fingerCapture(2), fingerException(7)] });
    k.workflow.repository.insert({ id: enrollment.id, flow: 'person', state: 'awaiting-review', ranBy: OFFICER.id, at: NOW.toISOString() });
    k.workflow.repository.hold(enrollment.id, {
      envelope: sealHeldEnrollment(CREDENTIALS, enrollment, OFFICER, NOW), at: NOW.toISOString(), by: SECOND_OFFICER.id, reasons: enrollment.secondApproval(),
    });
    return { ...k, enrollment };
  }

  it('opens a held enrollment from its envelope', () => {
    const { workflow, enrollment } = held();
    const opened = workflow.openHeld(enrollment.id);
    expect(opened.view()).toEqual({ ...enrollment.view(), state: 'awaiting-review' });
  });

  it('refuses one that is not held, and one whose envelope is damaged', () => {
    const { db, workflow, enrollment } = held();
    expect(() => workflow.openHeld('nobody')).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NOT_HELD' }));
    const envelope = workflow.repository.heldEnvelope(enrollment.id)!;
    envelope[envelope.length - 100]! ^= 0xff;
    db.prepare('UPDATE held_enrollments SET envelope = ? WHERE enrollment_id = ?').run(envelope, enrollment.id);
    expect(() => workflow.openHeld(enrollment.id)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_UNREADABLE', details: { id: enrollment.id, reason: expect.stringMatching(/^ENVELOPE_[A-Z_]+$/) } }));
    workflow.repository.setState(enrollment.id, 'rejected', NOW.toISOString());
    expect(() => workflow.openHeld(enrollment.id)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NOT_HELD' }));
  });

  it('refuses another held enrollment\'s envelope copied into a row, though the kiosk sealed it', () => {
    const { db, workflow, enrollment } = held();
    const other = onReview('company', { faceException: faceException(SECOND_OFFICER) });
    workflow.repository.insert({ id: other.id, flow: 'company', state: 'awaiting-review', ranBy: null, at: NOW.toISOString() });
    workflow.repository.hold(other.id, {
      envelope: workflow.repository.heldEnvelope(enrollment.id)!, at: NOW.toISOString(), by: SECOND_OFFICER.id, reasons: other.secondApproval(),
    });
    expect(() => workflow.openHeld(other.id)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_UNREADABLE', details: { id: other.id, reason: 'KIOSK_SEALED_MISPLACED' } }));
    expect(workflow.openHeld(enrollment.id).id).toBe(enrollment.id);
    expect(db.prepare('SELECT count(*) AS n FROM held_enrollments').get()).toEqual({ n: 2 });
  });

  it('gives a held enrollment by its row alone, enough to reject it', () => {
    const { db, workflow, enrollment } = held();
    const subject = workflow.heldSubject(enrollment.id);
    expect(subject).toMatchObject({ id: enrollment.id, flow: 'person', state: 'awaiting-review' });
    expect(subject.secondApproval()).toEqual(['finger-exception']);
    expect([...subject.participants()].sort()).toEqual([OFFICER.id, SECOND_OFFICER.id]);
    workflow.apply(subject, 'review-rejected', { actor: operatorActor(SUPERVISOR), commit: commitAs(db, 'enrollment.review-rejected') });
    expect(subject.state).toBe('rejected');
    expect(workflow.repository.state(enrollment.id)).toBe('rejected');
    expect(() => workflow.heldSubject(enrollment.id)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NOT_HELD' }));
  });
});
