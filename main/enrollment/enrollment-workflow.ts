// The enrollment as a durable workflow. `apply(enrollment, event)` is the one place a state
// changes: it looks the transition up in the table (transitions.ts), checks who fires it and the
// four-eyes guard, then runs the change, writes the row and the audit entry in one transaction,
// and only after the commit moves the aggregate and tells the screens. It also keeps which
// screen holds which enrollment (a screen holds one at a time), routes document reads (and
// their chips to read) to the screens on the document step, abandons what a screen leaves behind, and opens held ones.

import { appendAudit } from '../audit/audit-log.js';
import type { ScreenSession, SessionOperator } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { StationSettings } from '../kiosk/station-settings.js';
import type { Log } from '../log.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { z } from 'zod';
import type { EnrollmentBlock, Flow } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import type { ChipCheck } from './chip-check.js';
import type { DocumentCapture } from './document-capture.js';
import type { DocumentChips } from './document-chips.js';
import { Enrollment, type ReadFailureView } from './enrollment.js';
import { EnrollmentRepository, type HeldRow } from './enrollment-repository.js';
import type { OperatorRefView } from './exception-evidence.js';
import type { SecondApprovalReasonName } from './four-eyes.js';
import { openHeldEnrollment } from './held-enrollment.js';
import { isCaptureState, transitionFor, type EnrollmentEvent, type EnrollmentState, type Firer, type Transition } from './transitions.js';

/** Who fires an event: the person at the kiosk, an operator (logged in or identified by a credential), or the kiosk. */
export type Actor = { kind: 'person' } | { kind: 'operator'; operator: OperatorRefView } | { kind: 'system' };

/** Runs `change` and its audit entry in one transaction (an RPC procedure's ctx.commit). */
export type Commit = <T>(change: () => T, details?: (result: T) => Record<string, unknown>) => T;

/** What apply moves: an enrollment in memory, or a held one known only by its row. */
export interface WorkflowSubject {
  readonly id: string;
  readonly flow: Flow;
  readonly state: EnrollmentState;
  enter(state: EnrollmentState): void;
  secondApproval(): SecondApprovalReasonName[];
  participants(): Set<number>;
}

export interface WorkflowDeps {
  db: Db;
  now(): Date;
  settings(): StationSettings;
  /** Null before the kiosk is provisioned. */
  credentials(): KioskCredentials | null;
  /** The fingers a new enrollment asks for. */
  fingers(): readonly number[];
  /** An enrollment was held or decided, or the kiosk's readiness changed: the status bar recounts. */
  changed(): void;
  log: Log;
}

const SYSTEM: Actor = { kind: 'system' };
const PERSON: Actor = { kind: 'person' };

export const operatorRef = ({ id, name, role }: Pick<SessionOperator, 'id' | 'name' | 'role'>): OperatorRefView => ({ id, name, role });

/** The operator acting at the screen (logged in, or called to it), or null for the person alone. */
export function officerAt(screen: ScreenSession): OperatorRefView | null {
  const acting = screen.operator ?? screen.assistant;
  return acting ? operatorRef(acting) : null;
}

export function actorAt(screen: ScreenSession): Actor {
  const officer = officerAt(screen);
  return officer ? { kind: 'operator', operator: officer } : PERSON;
}

function firerOf(actor: Actor): Firer {
  return actor.kind === 'operator' ? actor.operator.role : actor.kind;
}

export class EnrollmentWorkflow {
  readonly repository: EnrollmentRepository;
  readonly #screens = new Map<ScreenSession, Enrollment>();
  readonly #unwatch = new Map<Enrollment, () => void>();
  #chips: DocumentChips | null = null;

  constructor(private readonly deps: WorkflowDeps) {
    this.repository = new EnrollmentRepository(deps.db);
  }

  /** At start-up: enrollments left on a step when the kiosk stopped lost their captures with the process; they are abandoned. */
  recover(): number {
    const ids = this.repository.unfinished();
    const at = this.deps.now();
    this.deps.db.transaction(() => {
      for (const id of ids) {
        this.repository.setState(id, 'abandoned', at.toISOString());
        this.repository.dropHeld(id); // none should exist on a step; never keep one that is no longer held
        appendAudit(this.deps.db, { actor: 'system', action: 'enrollment.abandoned', details: { enrollmentId: id, reason: 'kiosk-restarted' }, at });
      }
    })();
    return ids.length;
  }

  /** Why no enrollment may start now: the kiosk is not provisioned, or too many wait for a supervisor. */
  gate(): z.infer<typeof EnrollmentBlock> {
    if (this.deps.credentials() === null) return 'not-provisioned';
    if (this.repository.countHeld() >= this.deps.settings().heldEnrollmentLimit) return 'held-limit';
    return null;
  }

  /** Starts an enrollment on `screen` (abandoning one it held); refused when the kiosk cannot finish one. */
  start(screen: ScreenSession, flow: Flow, commit: Commit): Enrollment {
    const block = this.gate();
    if (block === 'not-provisioned') {
      throw new GatehouseError('KIOSK_NOT_PROVISIONED', 'This kiosk is not registered with an authority yet; a technician must provision it before enrollments can start.');
    }
    if (block === 'held-limit') {
      throw new GatehouseError('ENROLLMENT_HELD_LIMIT',
        'Too many enrollments are waiting for a supervisor\'s review; a supervisor must decide them before new enrollments can start.',
        { limit: this.deps.settings().heldEnrollmentLimit });
    }
    if (this.#screens.has(screen)) this.abandon(screen, 'restarted');
    const at = this.deps.now().toISOString();
    const enrollment = new Enrollment({
      flow, ranBy: screen.operator && operatorRef(screen.operator), startedAt: at, fingers: this.deps.fingers(),
      alwaysSecondApproval: () => this.deps.settings().alwaysSecondApproval,
    });
    commit(() => this.repository.insert({ id: enrollment.id, flow, state: enrollment.state, ranBy: enrollment.ranBy?.id ?? null, at }),
      () => ({ enrollmentId: enrollment.id, flow }));
    this.#screens.set(screen, enrollment);
    // The screen has logged its operator out by the time it ends: the abandonment is theirs.
    const actor = screen.actor;
    this.#unwatch.set(enrollment, screen.onEnd(() => this.abandon(screen, 'session-ended', actor)));
    return enrollment;
  }

  /** The enrollment `screen` holds, if any. */
  of(screen: ScreenSession): Enrollment | null {
    return this.#screens.get(screen) ?? null;
  }

  /** The screen's enrollment, or the error a screen without one gets. */
  require(screen: ScreenSession): Enrollment {
    const enrollment = this.#screens.get(screen);
    if (!enrollment) throw new GatehouseError('ENROLLMENT_NONE', 'No enrollment is in progress on this screen; start one first.');
    return enrollment;
  }

  /** The transition `actor` may make with `event`; throws the refusal (wrong step, role, four eyes) otherwise. */
  check(subject: WorkflowSubject, event: EnrollmentEvent, actor: Actor): Transition {
    const transition = transitionFor(subject.flow, subject.state, event);
    if (!transition) {
      throw new GatehouseError('ENROLLMENT_WRONG_STEP', `The enrollment is ${subject.state}; "${event}" cannot happen now.`,
        { state: subject.state, event });
    }
    if (!transition.by.includes(firerOf(actor))) {
      throw event === 'approved' || event === 'held'
        ? new GatehouseError('ENROLLMENT_APPROVER_NOT_OFFICER', 'Only an officer or a supervisor may approve or hold an enrollment.')
        : new GatehouseError('ENROLLMENT_OFFICER_REQUIRED', 'An officer must do this.', { event });
    }
    if (transition.guard && actor.kind === 'operator') {
      const refusal = transition.guard({
        reasons: subject.secondApproval(),
        participants: subject.participants(),
        approver: actor.operator,
        secondApprover: this.deps.settings().secondApprover,
      });
      if (refusal) throw refusal;
    }
    return transition;
  }

  /**
   * Fires `event`: checks it, then runs `change`, the row's new state and the audit entry in one
   * transaction (`commit`); after the commit the subject moves and the screens holding it learn.
   */
  apply<T = void>(subject: WorkflowSubject, event: EnrollmentEvent, { actor, commit, change, details }: {
    actor: Actor;
    commit: Commit;
    change?: () => T;
    details?: (result: T) => Record<string, unknown>;
  }): T {
    const transition = this.check(subject, event, actor);
    let result: T;
    try {
      result = commit(() => {
        const out = change ? change() : (undefined as T);
        this.repository.moveState(subject.id, transition.from, transition.to, this.deps.now().toISOString());
        return out;
      }, (out) => ({ enrollmentId: subject.id, ...details?.(out) }));
    } catch (error) {
      // The row moved behind the kiosk's back: what the screen holds is no longer the enrollment.
      if (subject instanceof Enrollment && error instanceof GatehouseError && error.code === 'ENROLLMENT_STATE_CONFLICT') this.#drop(subject);
      throw error;
    }
    subject.enter(transition.to);
    if (subject instanceof Enrollment) this.#moved(subject);
    if (!isCaptureState(transition.to)) this.deps.changed();
    return result;
  }

  /** Tells the screens holding `enrollment` what it looks like now. */
  emit(enrollment: Enrollment): void {
    for (const [screen, held] of this.#screens) if (held === enrollment) screen.emit('enrollment.changed', enrollment.view());
  }

  /** Where the chips of documents read from now on are read; none until the kiosk has a chip reader. */
  readChipsWith(chips: DocumentChips | null): void {
    this.#chips = chips;
  }

  /** A reader produced a document: every screen on the document step gets it (or only `only`), with its chip to read. */
  deliverCapture(capture: DocumentCapture, only?: ScreenSession): void {
    for (const [screen, enrollment] of this.#screens) {
      if ((only && only !== screen) || enrollment.state !== 'document') continue;
      if (enrollment.offerRead(capture, this.#chips?.checkFor(capture) ?? null)) screen.emit('enrollment.changed', enrollment.view());
    }
  }

  /** A chip may be read now (a CAN was typed, a retry asked for). */
  readChips(): void {
    this.#chips?.poke();
  }

  /** The enrollment whose document's chip waits to be read with the document placed as `placement`, the latest read first. */
  nextChipToRead(placement: number): { enrollment: Enrollment; check: ChipCheck } | null {
    let next: { enrollment: Enrollment; check: ChipCheck } | null = null;
    for (const enrollment of new Set(this.#screens.values())) {
      const check = enrollment.chipToRead(placement);
      if (check && (!next || check.capture.view.at >= next.check.capture.view.at)) next = { enrollment, check };
    }
    return next;
  }

  deliverFailure(failure: ReadFailureView, only?: ScreenSession): void {
    for (const [screen, enrollment] of this.#screens) {
      if ((!only || only === screen) && enrollment.offerFailure(failure)) screen.emit('enrollment.changed', enrollment.view());
    }
  }

  /** Ends an enrollment nobody cancelled (idle timeout, screen gone, restarted). */
  abandon(screen: ScreenSession, reason: string, actor = screen.actor): void {
    const enrollment = this.#screens.get(screen);
    if (!enrollment) return;
    const commit: Commit = (change, details) => this.deps.db.transaction(() => {
      const result = change();
      appendAudit(this.deps.db, { actor, action: 'enrollment.abandoned', details: details?.(result) ?? {} });
      return result;
    })();
    try {
      this.apply(enrollment, 'abandoned', { actor: SYSTEM, commit, details: () => ({ reason }) });
    } catch (error) {
      // Abandoning runs when a screen ends or idles out: it must not fail. The captures go
      // with the screen whatever the store says; the row is whatever moved it left it.
      this.deps.log.error('an abandoned enrollment could not be recorded', {
        enrollmentId: enrollment.id, reason, error: error instanceof GatehouseError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
      this.#drop(enrollment);
    }
  }

  /** A held enrollment, decrypted (ENROLLMENT_NOT_HELD unless one is held under `id`). */
  openHeld(id: string): Enrollment {
    const envelope = this.repository.state(id) === 'awaiting-review' ? this.repository.heldEnvelope(id) : null;
    const credentials = this.deps.credentials();
    if (!envelope || !credentials) {
      throw new GatehouseError('ENROLLMENT_NOT_HELD', 'That enrollment is not waiting for review (it may have been decided already).', { id });
    }
    try {
      return openHeldEnrollment(credentials, envelope, id, () => this.deps.settings().alwaysSecondApproval);
    } catch (error) {
      throw new GatehouseError('ENROLLMENT_HELD_UNREADABLE',
        'The held enrollment cannot be opened (its stored copy is damaged or sealed with other keys); reject it and enroll the person again.',
        { id, reason: typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** A held enrollment by its row alone (no decryption): enough to reject it. */
  heldSubject(id: string): WorkflowSubject & { row: HeldRow } {
    const row = this.repository.heldRow(id);
    if (!row) throw new GatehouseError('ENROLLMENT_NOT_HELD', 'That enrollment is not waiting for review (it may have been decided already).', { id });
    let state: EnrollmentState = 'awaiting-review';
    return {
      id, flow: row.flow, row,
      get state() { return state; },
      enter: (next) => { state = next; },
      secondApproval: () => [...row.reasons],
      participants: () => new Set([row.ranBy, row.heldBy].flatMap((operator) => (operator === null ? [] : [operator]))),
    };
  }

  /** After a committed transition: the assist ends with the face step, and an enrollment that left its steps leaves its screen. */
  #moved(enrollment: Enrollment): void {
    for (const [screen, held] of this.#screens) {
      if (held !== enrollment) continue;
      if (enrollment.state !== 'face' && enrollment.assistedBy) {
        screen.endAssist();
        enrollment.assistedBy = null;
      }
      if (isCaptureState(enrollment.state)) screen.emit('enrollment.changed', enrollment.view());
    }
    if (!isCaptureState(enrollment.state)) this.#drop(enrollment);
  }

  /** Takes `enrollment` off every screen holding it and forgets its captures. */
  #drop(enrollment: Enrollment): void {
    for (const [screen, held] of this.#screens) {
      if (held !== enrollment) continue;
      if (enrollment.assistedBy) screen.endAssist();
      this.#screens.delete(screen);
    }
    enrollment.assistedBy = null;
    this.#unwatch.get(enrollment)?.();
    this.#unwatch.delete(enrollment);
    enrollment.close();
  }
}
