// The four-eyes rules: which enrollments one officer may not approve alone (any exception, a
// document whose chip was not read, a face result in the review band, a face taken without a
// passed liveness challenge, a fingerprint duplicate warning: mandatory, no setting switches them
// off; and, where the station adds the rule, every enrollment of a flow), and who may give the
// second approval (a supervisor, or a second officer where the station allows it; never an
// operator who took part). Pure.

import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { Role } from '../rpc/define.js';
import { SecondApprovalReason, type SecondApprover } from '../rpc/schemas.js';

export type SecondApprovalReasonName = z.infer<typeof SecondApprovalReason>;

/** The reasons that always need a second approval, whatever the station's settings. */
export const MANDATORY_SECOND_APPROVAL_REASONS: readonly SecondApprovalReasonName[] =
  SecondApprovalReason.options.filter((reason) => reason !== 'station-rule');

/** What the rules look at, without images or personal data. */
export interface ApprovalFacts {
  face: { decision: 'match' | 'review'; livenessPassed: boolean } | null;
  faceException: boolean;
  /** The document's chip was not read (skipped at the screen). */
  chipSkipped: boolean;
  fingers: ReadonlyArray<{ kind: 'captured'; duplicate: boolean } | { kind: 'exception' }>;
  /** The station asks a second approval for every enrollment of this one's flow (setting `alwaysSecondApproval`). */
  stationRule: boolean;
}

/** Why approving needs a second operator, in a fixed order; empty when one officer may approve. */
export function secondApprovalReasons({ face, faceException, chipSkipped, fingers, stationRule }: ApprovalFacts): SecondApprovalReasonName[] {
  const reasons: SecondApprovalReasonName[] = [];
  if (chipSkipped) reasons.push('chip-not-read');
  if (faceException) reasons.push('face-exception');
  if (face?.decision === 'review') reasons.push('face-review-band');
  if (face && !face.livenessPassed) reasons.push('liveness-not-passed');
  if (fingers.some((finger) => finger.kind === 'exception')) reasons.push('finger-exception');
  if (fingers.some((finger) => finger.kind === 'captured' && finger.duplicate)) reasons.push('finger-duplicate');
  if (stationRule) reasons.push('station-rule');
  return reasons;
}

export interface ApprovalContext {
  /** Why the enrollment needs a second operator (empty: it does not). */
  reasons: readonly SecondApprovalReasonName[];
  /** Every operator who ran or captured part of it. */
  participants: ReadonlySet<number>;
  approver: { id: number; role: Role };
  secondApprover: z.infer<typeof SecondApprover>;
}

export type ApprovalGuard = (context: ApprovalContext) => GatehouseError | null;

/** Refuses an approver the four-eyes rules do not allow; null when they may approve. */
export const secondApproverRefusal: ApprovalGuard = ({ reasons, participants, approver, secondApprover }) => {
  if (reasons.length === 0) return null;
  if (participants.has(approver.id)) {
    return new GatehouseError('ENROLLMENT_SECOND_APPROVER_REQUIRED',
      'This enrollment needs a second person: you took part in it, so a supervisor must approve it with their own PIN or finger, or hold it for review.',
      { reasons: [...reasons] });
  }
  if (secondApprover === 'supervisor' && approver.role !== 'supervisor') {
    return new GatehouseError('ENROLLMENT_SUPERVISOR_REQUIRED',
      'This enrollment needs a supervisor\'s approval: ask a supervisor to approve it, or hold it for review.',
      { reasons: [...reasons] });
  }
  return null;
};
