// RPC handlers of the `enrollment.*` procedures. Each state change goes through the workflow's
// apply (transition table, four eyes, row and audit entry in one transaction); the handlers
// gather what the change needs: the accepted read, the exception with its photo, the details,
// the consent, the credential of an officer called to the screen, of the approver, or of the
// officer who holds the enrollment for a supervisor. Audit entries carry ids, reasons and
// outcomes, never personal data, notes or photos.

import type { z } from 'zod';
import type { CredentialDeps, Credential } from '../auth/operator-credential.js';
import { identifyOperator } from '../auth/operator-credential.js';
import { recordLoginSuccess, type OperatorRow } from '../auth/operator-repository.js';
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { HandlerContext, Handlers } from '../rpc/dispatcher.js';
import type { SealedEnrollment } from '../rpc/procedures/enrollment.js';
import type { Db } from '../store/database.js';
import { queueSummary, type QueuedRecord } from '../store/outbox.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { EnrollmentRecord } from '../sync/record-sealer.js';
import { KeyboardWedgeDecoder } from '../../native/idreader/mrz-reader/keyboard-wedge.js';
import { DeviceError } from '../../native/device-error.js';
import { parseMrz } from '../../native/idreader/mrz/index.js';
import type { ConsentDocument } from './consent-text.js';
import { captureFromMrz } from './document-capture.js';
import type { Enrollment } from './enrollment.js';
import { enrollmentMedia } from './enrollment-media.js';
import { buildEnrollmentRecord, type Approval } from './enrollment-record.js';
import { actorAt, officerAt, operatorRef, type EnrollmentWorkflow } from './enrollment-workflow.js';
import { recordEvidence } from './exception-evidence.js';
import { sealHeldEnrollment } from './held-enrollment.js';
import { slipContent } from '../slips/slip-content.js';
import type { SlipPrinting } from '../slips/slip-printing.js';
import { keepSlip } from '../slips/slip-store.js';
import { listRecords } from '../records/record-list.js';

type EnrollmentMethods = Extract<keyof Procedures, `enrollment.${string}`> | 'document.keyboardKeys';
type Ctx = HandlerContext<ScreenSession>;

export interface EnrollmentProcedureDeps {
  db: Db;
  workflow: EnrollmentWorkflow;
  now(): Date;
  consent: ConsentDocument;
  kioskVersion: string;
  /** Where credentials are checked (PINs, and fingers on the module). */
  credentials: CredentialDeps;
  /** KIOSK_NOT_PROVISIONED before provisioning. */
  kioskCredentials(): KioskCredentials;
  /** Seals and queues the record inside the caller's transaction. */
  seal(record: EnrollmentRecord, actor: string): QueuedRecord;
  /** Prints or saves slips (a printer's through the durable `slip.print` job). */
  slips: SlipPrinting;
}

const OFFICER_ROLES = new Set(['officer', 'supervisor']);

/**
 * The operator a credential proves, for `purpose`; refusals (wrong PIN, unknown finger, not an
 * officer) are audited with this procedure's action before they are thrown.
 */
export async function officerByCredential(deps: CredentialDeps, ctx: Ctx, credential: Credential,
  audit: (outcome: string, operatorId: number | null) => Record<string, unknown>): Promise<OperatorRow> {
  const row = await identifyOperator(deps, ctx.caller, credential,
    (outcome, change, operatorId) => ctx.commit(change, () => audit(outcome, operatorId)));
  if (!OFFICER_ROLES.has(row.role)) {
    ctx.commit(() => null, () => audit('not-an-officer', row.id));
    throw new GatehouseError('ENROLLMENT_APPROVER_NOT_OFFICER', 'Only an officer or a supervisor may do this.');
  }
  return row;
}

/** Seals the approved enrollment and queues it, through the workflow's `event` (approved at the screen, or from the queue). */
export function sealApproved(deps: Pick<EnrollmentProcedureDeps, 'db' | 'workflow' | 'seal' | 'kioskCredentials' | 'now'>, ctx: Ctx, enrollment: Enrollment,
  { event, approval, audit, after }: {
    event: 'approved' | 'review-approved';
    approval: Approval;
    audit: Record<string, unknown>;
    /** More to do in the same transaction (the queue drops the held copy). */
    after?: () => void;
  }): z.input<typeof SealedEnrollment> {
  const { db, workflow, seal } = deps;
  const record = buildEnrollmentRecord(enrollment, approval);
  const reasons = enrollment.secondApproval();
  const queued = workflow.apply(enrollment, event, {
    actor: { kind: 'operator', operator: approval.by },
    commit: ctx.commit,
    change: () => {
      recordLoginSuccess(db, approval.by.id);
      const sealed = seal(record, `operator:${approval.by.id}`);
      const numbered = { ...sealed, number: sealed.number! }; // an enrollment's record always has a number
      workflow.repository.recordApproval(enrollment.id, { by: approval.by.id, at: approval.at.toISOString(), reasons, recordId: sealed.recordId });
      // The slip, kept (sealed for the kiosk) so that it can be printed now and again later.
      const credentials = deps.kioskCredentials();
      keepSlip(db, credentials, slipContent(enrollment, numbered, credentials), deps.now());
      after?.();
      return numbered;
    },
    details: (sealed) => ({ ...audit, outcome: 'approved', secondApproval: reasons, recordId: sealed.recordId, number: sealed.number, kind: record.kind }),
  });
  return { recordId: queued.recordId, number: queued.number, queueDepth: queueSummary(db).queued };
}

/**
 * Refuses to go on when, while a credential was checked, the enrollment left the screen or
 * changed (details edited, consent given again): the approver must see what they approve.
 */
function unchangedSince(enrollment: Enrollment, revision: number): void {
  if (enrollment.closed.aborted) {
    throw new GatehouseError('ENROLLMENT_CLOSED', 'The enrollment ended while the credential was checked; nothing was saved.');
  }
  if (enrollment.revision !== revision) {
    throw new GatehouseError('ENROLLMENT_CHANGED', 'The enrollment changed while the credential was checked. Look at the review again, then approve again.');
  }
}

/** Audits a four-eyes refusal of `approver` (the workflow's check), then throws it. */
export function checkApprover(workflow: EnrollmentWorkflow, ctx: Ctx, enrollment: Parameters<EnrollmentWorkflow['check']>[0],
  event: 'approved' | 'review-approved', approver: OperatorRow, audit: Record<string, unknown>): void {
  try {
    workflow.check(enrollment, event, { kind: 'operator', operator: operatorRef(approver) });
  } catch (error) {
    if (error instanceof GatehouseError) ctx.commit(() => null, () => ({ ...audit, outcome: 'refused', refusal: error.code }));
    throw error;
  }
}

export function enrollmentHandlers(deps: EnrollmentProcedureDeps): Pick<Handlers<Procedures, ScreenSession>, EnrollmentMethods> {
  const { db, workflow, now, consent, kioskVersion } = deps;
  const wedges = new WeakMap<Enrollment, KeyboardWedgeDecoder>();
  /** The record each screen sealed last, for its "saved" screen: its slip and where it is. */
  const finished = new Map<ScreenSession, string>();
  const finishedOn = (screen: ScreenSession) => {
    const recordId = finished.get(screen);
    if (recordId === undefined) throw new GatehouseError('ENROLLMENT_NOT_FINISHED', 'This screen has not sealed a record; there is no slip to print here.');
    return recordId;
  };

  const keyboardRead = (screen: ScreenSession, lines: readonly string[]) => {
    const at = now();
    try {
      workflow.deliverCapture(captureFromMrz(parseMrz([...lines], { now: at }), 'keyboard', at), screen);
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      workflow.deliverFailure({ at: at.toISOString(), code: error.code, message: error.message }, screen);
    }
  };

  return {
    'enrollment.start': ({ flow }, ctx) => {
      finished.delete(ctx.caller);
      return workflow.start(ctx.caller, flow, ctx.commit).view();
    },

    'enrollment.current': (_input, ctx) => workflow.of(ctx.caller)?.view() ?? null,

    'enrollment.media': (_input, ctx) => enrollmentMedia(workflow.require(ctx.caller)),

    'enrollment.acceptDocument': ({ readId, useCorrection }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      const accepted = enrollment.pendingReadToAccept(readId, useCorrection);
      const chip = accepted.chip?.view;
      workflow.apply(enrollment, 'document-accepted', {
        actor: actorAt(ctx.caller),
        commit: ctx.commit,
        change: () => enrollment.setDocument({ ...accepted, by: officerAt(ctx.caller) }),
        details: () => ({
          correctionApplied: useCorrection,
          chip: chip ? (chip.status === 'done' ? chip.verdict : chip.status) : 'none',
        }),
      });
      return enrollment.view();
    },

    'enrollment.chipCan': ({ readId, can }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      enrollment.pendingChip(readId).useCan(can);
      workflow.readChips();
      return enrollment.view();
    },

    'enrollment.chipRetry': ({ readId }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      enrollment.pendingChip(readId).retry();
      workflow.readChips();
      return enrollment.view();
    },

    'enrollment.skipChip': ({ readId, reason, note }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      const check = enrollment.pendingChip(readId);
      // The note stays with the record; the audit log gets the reason only.
      ctx.commit(() => check.skip({ reason, note, by: officerAt(ctx.caller), at: now().toISOString() }), () => ({ enrollmentId: enrollment.id, reason }));
      workflow.emit(enrollment);
      return enrollment.view();
    },

    'enrollment.acknowledgeChip': ({ readId }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      const check = enrollment.pendingChip(readId);
      ctx.commit(() => check.acknowledge(officerAt(ctx.caller)), () => ({ enrollmentId: enrollment.id }));
      workflow.emit(enrollment);
      return enrollment.view();
    },

    'enrollment.retryDocument': (_input, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      enrollment.retryDocument();
      return enrollment.view();
    },

    'enrollment.cancel': (_input, ctx) => {
      workflow.apply(workflow.require(ctx.caller), 'cancelled', { actor: actorAt(ctx.caller), commit: ctx.commit });
      return {};
    },

    'enrollment.recordFaceException': (input, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      const evidence = recordEvidence(input, officerAt(ctx.caller), now());
      // The note and photo stay with the record (sealed later); the audit log gets the reason only.
      workflow.apply(enrollment, 'face-exception', {
        actor: actorAt(ctx.caller),
        commit: ctx.commit,
        change: () => enrollment.setFaceException(evidence),
        details: () => ({ reason: input.reason }),
      });
      return enrollment.view();
    },

    'enrollment.callOfficer': async ({ credential }, ctx) => {
      const screen = ctx.caller;
      const enrollment = workflow.require(screen);
      if (enrollment.state !== 'face') throw enrollment.notAt('face');
      if (screen.officerPresent) {
        throw new GatehouseError('ENROLLMENT_OFFICER_ALREADY_HERE', 'An officer is already helping on this screen.');
      }
      const audit = (outcome: string, operatorId: number | null) => ({ enrollmentId: enrollment.id, operatorId, outcome });
      const officer = await officerByCredential(deps.credentials, ctx, credential, audit);
      if (workflow.of(screen) !== enrollment || enrollment.state !== 'face') {
        throw new GatehouseError('ENROLLMENT_CLOSED', 'The enrollment moved on while the officer was identified.');
      }
      if (screen.officerPresent) {
        throw new GatehouseError('ENROLLMENT_OFFICER_ALREADY_HERE', 'An officer is already helping on this screen.');
      }
      ctx.commit(() => recordLoginSuccess(db, officer.id), () => audit('ok', officer.id));
      // Only once that is committed does the officer's help begin.
      screen.assist({ id: officer.id, name: officer.name, role: officer.role, via: credential.method });
      enrollment.assistedBy = operatorRef(officer);
      workflow.emit(enrollment);
      return enrollment.view();
    },

    'enrollment.endAssist': (_input, ctx) => {
      const screen = ctx.caller;
      const enrollment = workflow.require(screen);
      const officer = enrollment.assistedBy;
      if (!officer) return enrollment.view(); // nobody is helping: nothing to end
      // Audited first, so that the entry is the officer's; then their help ends.
      ctx.commit(() => null, () => ({ enrollmentId: enrollment.id, operatorId: officer.id }));
      screen.endAssist();
      enrollment.assistedBy = null;
      workflow.emit(enrollment);
      return enrollment.view();
    },

    'enrollment.saveDetails': (details, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      workflow.apply(enrollment, 'details-saved', { actor: actorAt(ctx.caller), commit: ctx.commit, change: () => enrollment.setDetails(details) });
      return enrollment.view();
    },

    'enrollment.editDetails': (_input, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      workflow.apply(enrollment, 'details-reopened', { actor: actorAt(ctx.caller), commit: ctx.commit, change: () => enrollment.setConsent(null) });
      return enrollment.view();
    },

    'enrollment.consentText': ({ language }) => ({ version: consent.version, language, text: consent.texts[language] }),

    'enrollment.acceptConsent': ({ accepted, version, language }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      if (accepted && version !== consent.version) {
        throw new GatehouseError('ENROLLMENT_CONSENT_OUTDATED', 'The consent text has changed; read the current text and accept it again.',
          { version: consent.version });
      }
      if (enrollment.state !== 'review') throw enrollment.notAt('review');
      // The version is audited only when it is the current one: an untick may carry any text.
      ctx.commit(() => enrollment.setConsent(accepted ? { version, language, acceptedAt: now().toISOString() } : null),
        () => ({ enrollmentId: enrollment.id, accepted, version: accepted ? version : null, language }));
      workflow.emit(enrollment);
      return enrollment.view();
    },

    'enrollment.approve': async ({ credential }, ctx) => {
      const screen = ctx.caller;
      const enrollment = workflow.require(screen);
      enrollment.readyToSeal(); // before the credential, so that a missing consent costs no attempt
      const audit = (outcome: string, operatorId: number | null) => ({ enrollmentId: enrollment.id, operatorId, outcome });
      if (credential.method === 'pin' && credential.name === undefined && !screen.operator) {
        throw new GatehouseError('ENROLLMENT_APPROVER_NAME_MISSING', "Enter the approving officer's name and PIN.");
      }
      const revision = enrollment.revision;
      const approver = await officerByCredential(deps.credentials, ctx, credential, audit);
      unchangedSince(enrollment, revision);
      checkApprover(workflow, ctx, enrollment, 'approved', approver, audit('refused', approver.id));
      const sealed = sealApproved(deps, ctx, enrollment, {
        event: 'approved',
        approval: { by: operatorRef(approver), method: credential.method, at: now(), kioskVersion, held: null },
        audit: audit('approved', approver.id),
      });
      if (!finished.has(screen)) screen.onEnd(() => finished.delete(screen));
      finished.set(screen, sealed.recordId);
      return sealed;
    },

    'enrollment.finished': (_input, ctx) => {
      const recordId = finished.get(ctx.caller);
      return recordId === undefined ? null : listRecords(db, { recordId })[0] ?? null;
    },

    'enrollment.printSlip': ({ language }, ctx) =>
      deps.slips.print(finishedOn(ctx.caller), language, (change, details) => ctx.commit(change, details)),

    'enrollment.holdForReview': async ({ credential }, ctx) => {
      const screen = ctx.caller;
      const enrollment = workflow.require(screen);
      enrollment.readyToSeal();
      const reasons = enrollment.secondApproval();
      if (reasons.length === 0) {
        throw new GatehouseError('ENROLLMENT_HOLD_NOT_NEEDED', 'This enrollment needs no second approval: the officer approves it here.');
      }
      const audit = (outcome: string, operatorId: number | null) => ({ enrollmentId: enrollment.id, operatorId, outcome, reasons });
      let holder;
      const revision = enrollment.revision;
      if (credential) holder = operatorRef(await officerByCredential(deps.credentials, ctx, credential, audit));
      else if (screen.operator) holder = operatorRef(screen.operator);
      else throw new GatehouseError('ENROLLMENT_HOLDER_MISSING', 'An officer must hold the enrollment for review: enter your name and PIN.');
      unchangedSince(enrollment, revision);
      const at = now();
      const envelope = sealHeldEnrollment(deps.kioskCredentials(), enrollment, holder, at);
      workflow.apply(enrollment, 'held', {
        actor: { kind: 'operator', operator: holder },
        commit: ctx.commit,
        change: () => workflow.repository.hold(enrollment.id, { envelope, at: at.toISOString(), by: holder.id, reasons }),
        details: () => audit('held', holder.id),
      });
      return { enrollmentId: enrollment.id, held: workflow.repository.countHeld() };
    },

    'document.keyboardKeys': ({ keys }, ctx) => {
      const enrollment = workflow.require(ctx.caller);
      if (enrollment.state !== 'document') return {};
      let wedge = wedges.get(enrollment);
      if (!wedge) wedges.set(enrollment, wedge = new KeyboardWedgeDecoder());
      for (const event of keys.flatMap((key) => wedge.push(key))) {
        if (event.type === 'read') keyboardRead(ctx.caller, event.lines);
        else workflow.deliverFailure({ at: now().toISOString(), code: event.error.code, message: event.error.message }, ctx.caller);
      }
      return {};
    },
  };
}
