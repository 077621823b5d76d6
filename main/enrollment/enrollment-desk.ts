// Keeps the enrollment of each screen and routes what the devices produce to the
// screens that are waiting for it (a document read goes to every screen on the
// document step). Ending a screen's session abandons its enrollment and drops its data.

import { appendAudit } from '../audit/audit-log.js';
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { DeviceError } from '../../native/device-error.js';
import { KeyboardWedgeDecoder } from '../../native/idreader/mrz-reader/keyboard-wedge.js';
import type { MrzFrameEvent } from '../../native/idreader/mrz-reader/framings.js';
import { parseMrz } from '../../native/idreader/mrz/index.js';
import { captureFromMrz, type DocumentCapture } from './document-capture.js';
import type { FaceOutcome } from './face-check.js';
import { EnrollmentSession, type Flow, type ReadFailureView } from './enrollment-session.js';
import { readFingerprintPolicy } from './fingerprint-policy.js';

type EnrollmentMethods =
  | 'enrollment.start' | 'enrollment.current' | 'enrollment.acceptDocument' | 'enrollment.retryDocument'
  | 'enrollment.cancel' | 'enrollment.recordFaceException' | 'document.keyboardKeys';

export class EnrollmentDesk {
  readonly #sessions = new Map<ScreenSession, EnrollmentSession>();

  constructor(private readonly db: Db, private readonly now: () => Date) {}

  current(screen: ScreenSession): EnrollmentSession | null {
    return this.#sessions.get(screen) ?? null;
  }

  /** The screen's enrollment, or the error a screen without one gets. */
  require(screen: ScreenSession): EnrollmentSession {
    const session = this.#sessions.get(screen);
    if (!session) throw new GatehouseError('ENROLLMENT_NONE', 'No enrollment is in progress on this screen; start one first.');
    return session;
  }

  /** The face step's accepted outcome joins the enrollment; the screen follows. */
  completeFace(session: EnrollmentSession, outcome: FaceOutcome): void {
    session.completeFace(outcome);
    this.saveStep(session);
    for (const [screen, held] of this.#sessions) if (held === session) screen.emit('enrollment.changed', session.view());
  }

  /** Writes the session's step to its enrollments row (in the caller's transaction). */
  saveStep(session: EnrollmentSession): void {
    this.#setState(session, session.step);
  }

  /** The record is sealed (in the caller's transaction): the enrollment ends and its data is dropped. */
  finishSealed(screen: ScreenSession, session: EnrollmentSession): void {
    this.#close(screen, session, 'sealed');
  }

  /** A reader produced a document: every screen on the document step gets it. */
  deliverCapture(capture: DocumentCapture, only?: ScreenSession): void {
    for (const [screen, session] of this.#sessions) {
      if ((!only || only === screen) && session.offerRead(capture)) screen.emit('enrollment.changed', session.view());
    }
  }

  deliverFailure(failure: ReadFailureView): void {
    for (const [screen, session] of this.#sessions) {
      if (session.offerFailure(failure)) screen.emit('enrollment.changed', session.view());
    }
  }

  handlers(): Pick<Handlers<Procedures, ScreenSession>, EnrollmentMethods> {
    return {
      'enrollment.start': ({ flow }, ctx) => {
        const screen = ctx.caller;
        if (flow === 'person' && screen.role !== 'officer' && screen.role !== 'supervisor') {
          throw new GatehouseError('RPC_FORBIDDEN', 'An officer or supervisor must be logged in to enroll a person.');
        }
        if (this.#sessions.has(screen)) this.#abandon(screen, 'restarted');
        const session = ctx.commit(() => this.#open(screen, flow), (s) => ({ enrollmentId: s.id, flow }));
        return session.view();
      },
      'enrollment.current': (_input, ctx) => this.current(ctx.caller)?.view() ?? null,
      'enrollment.acceptDocument': ({ readId, useCorrection }, ctx) => {
        const session = this.require(ctx.caller);
        ctx.commit(() => {
          session.acceptDocument(readId, useCorrection);
          this.saveStep(session);
        }, () => ({ enrollmentId: session.id, correctionApplied: useCorrection }));
        return session.view();
      },
      'enrollment.retryDocument': (_input, ctx) => {
        const session = this.require(ctx.caller);
        session.retryDocument();
        return session.view();
      },
      'enrollment.cancel': (_input, ctx) => {
        const session = this.require(ctx.caller);
        ctx.commit(() => this.#close(ctx.caller, session, 'cancelled'), () => ({ enrollmentId: session.id }));
        return {};
      },
      'enrollment.recordFaceException': ({ reason }, ctx) => {
        const session = this.require(ctx.caller);
        ctx.commit(() => {
          session.recordFaceException(reason);
          this.saveStep(session);
        }, () => ({ enrollmentId: session.id, reason }));
        return session.view();
      },
      'document.keyboardKeys': ({ keys }, ctx) => {
        const session = this.require(ctx.caller);
        if (session.step !== 'document') return {};
        let wedge = this.#wedges.get(session);
        if (!wedge) this.#wedges.set(session, wedge = new KeyboardWedgeDecoder());
        for (const event of keys.flatMap((key) => wedge.push(key))) this.#keyboardRead(ctx.caller, session, event);
        return {};
      },
    };
  }

  #open(screen: ScreenSession, flow: Flow): EnrollmentSession {
    const session = new EnrollmentSession(flow, readFingerprintPolicy(this.db).fingers);
    const at = this.now().toISOString();
    this.db.prepare('INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(session.id, flow, session.step, screen.operator?.id ?? null, at, at);
    this.#sessions.set(screen, session);
    // The screen has logged its operator out by the time it ends: the abandonment is theirs.
    const actor = screen.actor;
    const stopWatching = screen.onEnd(() => this.#abandon(screen, 'session-ended', actor));
    this.#unwatch.set(session, stopWatching);
    return session;
  }

  readonly #unwatch = new Map<EnrollmentSession, () => void>();
  /** Keyboard-wedge decoders, one per enrollment on the document step. */
  readonly #wedges = new Map<EnrollmentSession, KeyboardWedgeDecoder>();

  #keyboardRead(screen: ScreenSession, session: EnrollmentSession, event: MrzFrameEvent): void {
    const at = this.now();
    let offered: boolean;
    try {
      if (event.type === 'error') throw event.error;
      offered = session.offerRead(captureFromMrz(parseMrz(event.lines, { now: at }), 'keyboard', at));
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      offered = session.offerFailure({ at: at.toISOString(), code: error.code, message: error.message });
    }
    if (offered) screen.emit('enrollment.changed', session.view());
  }

  #setState(session: EnrollmentSession, state: string): void {
    this.db.prepare('UPDATE enrollments SET state = ?, updated_at = ? WHERE id = ?').run(state, this.now().toISOString(), session.id);
  }

  #close(screen: ScreenSession, session: EnrollmentSession, state: 'sealed' | 'cancelled' | 'abandoned'): void {
    this.#setState(session, state);
    this.#sessions.delete(screen);
    session.close();
    this.#unwatch.get(session)?.();
    this.#unwatch.delete(session);
    this.#wedges.delete(session);
  }

  /** Ends an enrollment that nobody cancelled (idle timeout, screen gone, restarted). */
  #abandon(screen: ScreenSession, reason: string, actor = screen.actor): void {
    const session = this.#sessions.get(screen);
    if (!session) return;
    this.db.transaction(() => {
      this.#close(screen, session, 'abandoned');
      appendAudit(this.db, { actor, action: 'enrollment.abandoned', details: { enrollmentId: session.id, reason } });
    })();
  }
}

