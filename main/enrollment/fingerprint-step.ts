// RPC handlers of the enrollment's fingerprint step: capture a requested finger (progress
// to the screen; the new template compared on the module with this enrollment's other
// fingers by DownChar + Match, so no applicant template is ever stored on the module, and
// the library searched for operators' fingers), discard, exceptions with their photo, the
// captured image for the screen, and leaving the step. Audit entries carry positions and counts only.

import { operatorAtPage } from '../auth/operator-fingers.js';
import type { ScreenSession } from '../auth/screen-session.js';
import { availableModule, type FingerprintService } from '../devices/fingerprint-service.js';
import { flowReportingTo } from '../devices/fingerprint-progress.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { actorAt, officerAt, type EnrollmentWorkflow } from './enrollment-workflow.js';
import { recordEvidence } from './exception-evidence.js';
import type { DuplicateOf } from './fingerprint-captures.js';
import { captureOptions, readFingerprintPolicy } from './fingerprint-policy.js';

type FingerprintStepMethods =
  | 'fingerprint.capture' | 'fingerprint.cancel' | 'fingerprint.retry' | 'fingerprint.recordException'
  | 'fingerprint.finish' | 'fingerprint.image';

export interface FingerprintStepDeps {
  db: Db;
  workflow: EnrollmentWorkflow;
  now(): Date;
  module(): FingerprintService | null;
}

export function fingerprintStepHandlers({ db, workflow, now, module }: FingerprintStepDeps)
  : Pick<Handlers<Procedures, ScreenSession>, FingerprintStepMethods> {
  return {
    'fingerprint.capture': async ({ position }, ctx) => {
      const screen = ctx.caller;
      const session = workflow.require(screen);
      const captures = session.fingerprintStep();
      const scanner = availableModule(module());
      const policy = readFingerprintPolicy(db);
      const earlier = captures.capturedExcept(position);
      captures.beginCapture(position);
      screen.emit('enrollment.changed', session.view());
      try {
        const captured = await scanner.use(screen, ({ driver, library, signal }) =>
          flowReportingTo(screen.emit, driver, position).capture({
            position, ...captureOptions(policy), search: library, compareWith: earlier.map((finger) => finger.template), signal,
          }), [session.closed]);
        if (session.closed.aborted) {
          throw new GatehouseError('ENROLLMENT_CLOSED', 'The enrollment ended during the capture; nothing was kept.');
        }
        const duplicateOf: DuplicateOf = captured.earlierMatch
          ? { kind: 'session', position: earlier[captured.earlierMatch.index]!.position }
          : captured.duplicate ? { kind: 'operator', operatorId: operatorAtPage(db, captured.duplicate.page) } : null;
        const { isoRecord, template, png, quality, qualityAccepted, attempts } = captured;
        ctx.commit(
          () => captures.record({
            kind: 'captured', position, isoRecord, template, png, quality, qualityAccepted, attempts, duplicateOf, by: officerAt(screen),
          }),
          () => ({ enrollmentId: session.id, position, quality: quality.score, qualityAccepted, attempts, duplicate: duplicateOf?.kind ?? 'none' }),
        );
      } finally {
        captures.endCapture();
        if (!session.closed.aborted) screen.emit('enrollment.changed', session.view());
      }
      return session.view();
    },

    'fingerprint.cancel': (_input, ctx) => ({ cancelled: module()?.cancel(ctx.caller) ?? false }),

    'fingerprint.retry': ({ position }, ctx) => {
      const session = workflow.require(ctx.caller);
      const captures = session.fingerprintStep();
      ctx.commit(() => captures.discard(position), () => ({ enrollmentId: session.id, position }));
      return session.view();
    },

    'fingerprint.recordException': ({ position, reason, note, photo }, ctx) => {
      const session = workflow.require(ctx.caller);
      const captures = session.fingerprintStep();
      const evidence = recordEvidence({ reason, note, photo }, officerAt(ctx.caller), now());
      // The note and photo stay with the record (sealed later); the audit log gets the reason only.
      ctx.commit(() => captures.recordException({ kind: 'exception', position, ...evidence }),
        () => ({ enrollmentId: session.id, position, reason }));
      return session.view();
    },

    'fingerprint.finish': (_input, ctx) => {
      const session = workflow.require(ctx.caller);
      const captures = session.fingerprintStep();
      captures.assertComplete();
      workflow.apply(session, 'fingerprints-finished', {
        actor: actorAt(ctx.caller), commit: ctx.commit, details: () => captures.summary(),
      });
      return session.view();
    },

    'fingerprint.image': ({ position }, ctx) => {
      const captures = workflow.require(ctx.caller).fingerprints;
      if (!captures) throw new GatehouseError('FINGERPRINT_NOT_REQUESTED', 'This enrollment takes no fingerprints.');
      return { png: Buffer.from(captures.captured(position).png).toString('base64') };
    },
  };
}
