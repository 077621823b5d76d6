// RPC handlers of the supervisor's review queue. The list comes from the rows alone (no
// decryption, no personal data); opening one decrypts it for this screen and is audited;
// approving takes the supervisor's own PIN or finger and seals, queues and drops the held copy
// in one transaction; rejecting drops it (secure_delete overwrites it; the write-ahead log is
// checkpointed and truncated so no copy of the envelope stays behind in it either).

import type { z } from 'zod';
import { getOperator } from '../auth/operator-repository.js';
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { HeldEnrollmentSummary } from '../rpc/procedures/review-queue.js';
import type { HeldRow } from './enrollment-repository.js';
import { enrollmentMedia } from './enrollment-media.js';
import {
  checkApprover, officerByCredential, sealApproved, type EnrollmentProcedureDeps,
} from './enrollment-procedures.js';
import { operatorRef } from './enrollment-workflow.js';

type ReviewQueueMethods = Extract<keyof Procedures, `reviewQueue.${string}`>;

export type ReviewQueueDeps = Pick<EnrollmentProcedureDeps, 'db' | 'workflow' | 'now' | 'kioskVersion' | 'credentials' | 'seal' | 'kioskCredentials'> & {
  settings(): { heldEnrollmentLimit: number; heldEnrollmentMaxAgeHours: number };
};

const HOUR_MS = 3_600_000;

export function reviewQueueHandlers(deps: ReviewQueueDeps): Pick<Handlers<Procedures, ScreenSession>, ReviewQueueMethods> {
  const { db, workflow, now, kioskVersion } = deps;
  const operatorById = (id: number | null) => (id === null ? null : operatorRef(getOperator(db, id)));
  const summary = (row: HeldRow): z.input<typeof HeldEnrollmentSummary> => ({
    id: row.id,
    flow: row.flow,
    heldAt: row.heldAt,
    heldBy: operatorById(row.heldBy),
    ranBy: operatorById(row.ranBy),
    reasons: row.reasons,
    overdue: now().getTime() - Date.parse(row.heldAt) > deps.settings().heldEnrollmentMaxAgeHours * HOUR_MS,
  });
  /** Removes what the deleted rows left in the write-ahead log (outside any transaction). */
  const forgetDeleted = () => db.pragma('wal_checkpoint(TRUNCATE)');

  return {
    'reviewQueue.list': () => {
      const { heldEnrollmentLimit: limit, heldEnrollmentMaxAgeHours: maxAgeHours } = deps.settings();
      return { enrollments: workflow.repository.listHeld().map(summary), limit, maxAgeHours };
    },

    'reviewQueue.open': ({ id }, ctx) => {
      const held = workflow.heldSubject(id);
      const enrollment = workflow.openHeld(id);
      try {
        ctx.commit(() => null, () => ({ enrollmentId: id }));
        // Who held it and when, as the sealed copy says.
        const { by, at } = enrollment.held!;
        return { summary: { ...summary(held.row), heldBy: by, heldAt: at }, enrollment: enrollment.view(), media: enrollmentMedia(enrollment) };
      } finally {
        enrollment.close();
      }
    },

    'reviewQueue.approve': async ({ id, credential }, ctx) => {
      const screen = ctx.caller;
      workflow.heldSubject(id); // what is not held is refused before a credential is spent on it
      const audit = (outcome: string, operatorId: number | null) => ({ enrollmentId: id, operatorId, outcome });
      const approver = await officerByCredential(deps.credentials, ctx, credential, audit);
      if (approver.id !== screen.operator?.id) {
        ctx.commit(() => null, () => audit('not-the-supervisor-logged-in', approver.id));
        throw new GatehouseError('REVIEW_CREDENTIAL_NOT_YOURS', 'Confirm with your own PIN or finger: the supervisor logged in here approves.');
      }
      const enrollment = workflow.openHeld(id);
      try {
        checkApprover(workflow, ctx, enrollment, 'review-approved', approver, audit('refused', approver.id));
        const sealed = sealApproved(deps, ctx, enrollment, {
          event: 'review-approved',
          // Who held it and when, as the sealed copy says (the row is only an index).
          approval: { by: operatorRef(approver), method: credential.method, at: now(), kioskVersion, held: enrollment.held },
          audit: audit('approved', approver.id),
          after: () => workflow.repository.dropHeld(id),
        });
        forgetDeleted();
        return sealed;
      } finally {
        enrollment.close();
      }
    },

    'reviewQueue.reject': ({ id, reason }, ctx) => {
      const supervisor = ctx.caller.operator!; // the procedure's roles need a supervisor logged in
      const held = workflow.heldSubject(id);
      workflow.apply(held, 'review-rejected', {
        actor: { kind: 'operator', operator: operatorRef(supervisor) },
        commit: ctx.commit,
        change: () => {
          workflow.repository.recordRejection(id, { by: supervisor.id, at: now().toISOString(), reason });
          workflow.repository.dropHeld(id);
        },
        details: () => ({ operatorId: supervisor.id, reason }),
      });
      forgetDeleted();
      return {};
    },
  };
}
