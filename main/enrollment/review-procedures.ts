// RPC handlers of the details and review steps: the details form, the consent the person
// ticks, and the officer's approval. The approval checks the PIN as a login does (a wrong one
// counts towards the lockout), builds the record, and seals and queues it in the same
// transaction that ends the enrollment; only then does the screen learn it was saved.
// Audit entries carry ids, versions and outcomes, never details or document data.

import type { ScreenSession } from '../auth/screen-session.js';
import { findOperatorByName, getOperator, recordLoginSuccess, type OperatorRow } from '../auth/operator-repository.js';
import { checkOperatorPin } from '../auth/pin-check.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { queueSummary, type QueuedRecord } from '../store/outbox.js';
import type { EnrollmentRecord } from '../sync/record-sealer.js';
import type { ConsentDocument } from './consent-text.js';
import type { EnrollmentDesk } from './enrollment-desk.js';
import { buildEnrollmentRecord } from './enrollment-record.js';
import type { EnrollmentSession } from './enrollment-session.js';

type ReviewMethods =
  | 'enrollment.saveDetails' | 'enrollment.editDetails' | 'enrollment.consentText' | 'enrollment.acceptConsent'
  | 'enrollment.approve';

export interface ReviewDeps {
  db: Db;
  desk: EnrollmentDesk;
  now(): Date;
  consent: ConsentDocument;
  kioskVersion: string;
  /** Seals and queues the record in one transaction (joining the caller's); KIOSK_NOT_PROVISIONED before provisioning. */
  seal(record: EnrollmentRecord, actor: string): QueuedRecord;
}

export function reviewHandlers({ db, desk, now, consent, kioskVersion, seal }: ReviewDeps)
  : Pick<Handlers<Procedures, ScreenSession>, ReviewMethods> {
  return {
    'enrollment.saveDetails': (details, ctx) => {
      const session = desk.require(ctx.caller);
      ctx.commit(() => {
        session.saveDetails(details);
        desk.saveStep(session);
      }, () => ({ enrollmentId: session.id }));
      return session.view();
    },

    'enrollment.editDetails': (_input, ctx) => {
      const session = desk.require(ctx.caller);
      ctx.commit(() => {
        session.reopenDetails();
        desk.saveStep(session);
      }, () => ({ enrollmentId: session.id }));
      return session.view();
    },

    'enrollment.consentText': ({ language }) => ({ version: consent.version, language, text: consent.texts[language] }),

    'enrollment.acceptConsent': ({ accepted, version, language }, ctx) => {
      const session = desk.require(ctx.caller);
      if (accepted && version !== consent.version) {
        throw new GatehouseError('ENROLLMENT_CONSENT_OUTDATED', 'The consent text has changed; read the current text and accept it again.',
          { version: consent.version });
      }
      ctx.commit(() => session.setConsent(accepted ? { version, language, acceptedAt: now().toISOString() } : null),
        () => ({ enrollmentId: session.id, accepted, version, language }));
      return session.view();
    },

    'enrollment.approve': async ({ name, pin }, ctx) => {
      const screen = ctx.caller;
      const session = desk.require(screen);
      session.readyToSeal(); // before the PIN, so that a missing consent costs no attempt
      const claimed = approverClaimed(db, session, screen, name);
      const at = now();
      const outcome = (result: string) => ({ enrollmentId: session.id, operatorId: claimed?.id ?? null, outcome: result });
      const approver = await checkOperatorPin({
        db, row: claimed, pin, at, recordRefusal: (refusal, change) => ctx.commit(change, () => outcome(refusal)),
      });
      if (approver.role !== 'officer' && approver.role !== 'supervisor') {
        ctx.commit(() => null, () => outcome('not-an-officer'));
        throw new GatehouseError('ENROLLMENT_APPROVER_NOT_OFFICER', 'Only an officer or a supervisor may approve an enrollment.');
      }
      if (desk.current(screen) !== session) {
        throw new GatehouseError('ENROLLMENT_CLOSED', 'The enrollment ended while the PIN was checked; nothing was saved.');
      }
      const record = buildEnrollmentRecord(session, { operatorId: approver.id, at, kioskVersion });
      const queued = ctx.commit(() => {
        recordLoginSuccess(db, approver.id);
        const sealed = seal(record, `operator:${approver.id}`);
        desk.finishSealed(screen, session);
        return sealed;
      }, (sealed) => ({ ...outcome('approved'), recordId: sealed.recordId, kind: record.kind }));
      return { recordId: queued.recordId, queueDepth: queueSummary(db).queued };
    },
  };
}

/**
 * Who the PIN is claimed for. Person flow: the officer logged in on this screen (who started
 * it). Company flow: the officer or supervisor named at the kiosk; undefined for an unknown name.
 */
function approverClaimed(db: Db, session: EnrollmentSession, screen: ScreenSession, name: string | undefined): OperatorRow | undefined {
  if (session.flow === 'company') {
    if (name === undefined) throw new GatehouseError('ENROLLMENT_APPROVER_NAME_MISSING', "Enter the approving officer's name and PIN.");
    return findOperatorByName(db, name);
  }
  if (name !== undefined) {
    throw new GatehouseError('ENROLLMENT_APPROVER_LOGGED_IN', 'The officer logged in on this screen approves a person enrollment: enter only the PIN.');
  }
  return getOperator(db, screen.operator!.id); // the person flow starts only with an officer logged in, and ends at logout
}
