// The enrollment's transition table: for each flow, which event moves an enrollment from which
// state to which, and who may fire it. It is the one place that says what order the steps come
// in, when an enrollment ends, and (through the guards in four-eyes.ts) who may approve one.
// Pure: the workflow (enrollment-workflow.ts) looks transitions up here and carries them out.

import type { EnrollmentStateName, Flow, Step } from '../rpc/schemas.js';
import { secondApproverRefusal, type ApprovalGuard } from './four-eyes.js';

export type EnrollmentState = EnrollmentStateName;

export type EnrollmentEvent =
  | 'document-accepted' | 'face-accepted' | 'face-exception' | 'fingerprints-finished'
  | 'details-saved' | 'details-reopened'
  | 'approved' | 'held' | 'review-approved' | 'review-rejected'
  | 'cancelled' | 'abandoned';

/** Who fires an event: the person at the kiosk, an operator by role, or the kiosk itself. */
export type Firer = 'person' | 'officer' | 'supervisor' | 'technician' | 'system';

export interface Transition {
  readonly flows: readonly Flow[];
  readonly from: EnrollmentState;
  readonly event: EnrollmentEvent;
  readonly to: EnrollmentState;
  readonly by: readonly Firer[];
  /** A further rule on who may fire it (four eyes); null when the roles say it all. */
  readonly guard: ApprovalGuard | null;
}

const BOTH: readonly Flow[] = ['person', 'company'];
const PERSON: readonly Flow[] = ['person'];
const COMPANY: readonly Flow[] = ['company'];
const ANYONE: readonly Firer[] = ['person', 'officer', 'supervisor'];
const OFFICERS: readonly Firer[] = ['officer', 'supervisor'];
const SUPERVISORS: readonly Firer[] = ['supervisor'];
const SYSTEM: readonly Firer[] = ['system'];

/** The states an enrollment is captured in, on a screen, in memory. */
export const CAPTURE_STATES: readonly Step[] = ['document', 'face', 'fingerprints', 'details', 'review'];

const row = (flows: readonly Flow[], from: EnrollmentState, event: EnrollmentEvent, to: EnrollmentState,
  by: readonly Firer[], guard: ApprovalGuard | null = null): Transition => ({ flows, from, event, to, by, guard });

export const TRANSITIONS: readonly Transition[] = [
  //  flows    from               event                    to                 fired by
  row(BOTH, 'document', 'document-accepted', 'face', ANYONE),
  row(PERSON, 'face', 'face-accepted', 'fingerprints', ANYONE),
  row(PERSON, 'face', 'face-exception', 'fingerprints', OFFICERS),
  row(COMPANY, 'face', 'face-accepted', 'details', ANYONE),
  row(COMPANY, 'face', 'face-exception', 'details', OFFICERS),
  row(PERSON, 'fingerprints', 'fingerprints-finished', 'details', OFFICERS),
  row(BOTH, 'details', 'details-saved', 'review', ANYONE),
  row(BOTH, 'review', 'details-reopened', 'details', ANYONE),
  // Approval at the screen: the officer for a clean enrollment, a second operator where four eyes are needed.
  row(BOTH, 'review', 'approved', 'sealed', OFFICERS, secondApproverRefusal),
  // No second operator at hand: held, encrypted, for a supervisor.
  row(BOTH, 'review', 'held', 'awaiting-review', OFFICERS),
  row(BOTH, 'awaiting-review', 'review-approved', 'sealed', SUPERVISORS, secondApproverRefusal),
  row(BOTH, 'awaiting-review', 'review-rejected', 'rejected', SUPERVISORS),
  ...CAPTURE_STATES.flatMap((step) => [
    row(BOTH, step, 'cancelled', 'cancelled', ANYONE),
    row(BOTH, step, 'abandoned', 'abandoned', SYSTEM),
  ]),
];

/** The transition `event` makes from `state` in `flow`; null when it makes none. */
export function transitionFor(flow: Flow, state: EnrollmentState, event: EnrollmentEvent): Transition | null {
  return TRANSITIONS.find((t) => t.from === state && t.event === event && t.flows.includes(flow)) ?? null;
}

/** The flow's steps in order: from the document step, each step the table leads to next. */
export function stepsOf(flow: Flow): Step[] {
  const steps: Step[] = ['document'];
  for (;;) {
    const current = steps[steps.length - 1]!;
    const next = TRANSITIONS.find((t) => t.flows.includes(flow) && t.from === current
      && isCaptureState(t.to) && !steps.includes(t.to));
    if (!next) return steps;
    steps.push(next.to as Step);
  }
}

export function isCaptureState(state: EnrollmentState): state is Step {
  return (CAPTURE_STATES as readonly string[]).includes(state);
}

/** States an enrollment never leaves. */
export function isFinal(state: EnrollmentState): boolean {
  return !TRANSITIONS.some((t) => t.from === state);
}
