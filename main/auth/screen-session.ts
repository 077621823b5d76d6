// The state of one kiosk screen: who is logged in on it (or, on a business owner's screen,
// which officer was called to help without logging the screen in), whether a person is in
// the middle of a flow, and the idle countdown that ends the session, returns the screen to
// the start and drops every piece of in-memory capture data registered with it.

import { randomUUID } from 'node:crypto';
import type { Caller } from '../rpc/dispatcher.js';
import type { EventSink } from '../rpc/event-sink.js';
import type { Role } from '../rpc/define.js';
import { IdleTimer } from './idle-timer.js';

export interface SessionOperator {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  /** How they logged in; enrolling a login finger needs the PIN. */
  readonly via: 'pin' | 'fingerprint';
}

export interface ScreenSessionDeps {
  /** Read at every restart of the countdown, so a changed setting counts from the next touch. */
  idleTimeoutSeconds(): number;
  /** How long before the logout the countdown shows (station setting; shorter than the timeout). */
  idleWarningSeconds(): number;
  emit: EventSink;
  /** Called when the countdown runs out, before the session ends (e.g. to audit it). */
  onIdleExpire(screen: ScreenSession): void;
}

export type EndReason = 'idle' | 'logout';

export class ScreenSession implements Caller {
  readonly id = randomUUID();
  private current: SessionOperator | null = null;
  private assisting: SessionOperator | null = null;
  private away = false;
  private disposed = false;
  private readonly cleanups = new Set<() => void>();
  private readonly idle: IdleTimer;

  constructor(private readonly deps: ScreenSessionDeps) {
    this.idle = new IdleTimer({
      onWarning: (secondsLeft) => deps.emit('session.idleWarning', { secondsLeft }),
      onExpire: () => {
        try {
          deps.onIdleExpire(this);
        } finally {
          this.end('idle'); // the session ends even if auditing it failed
        }
      },
    });
  }

  /** Sends a contract event to this screen. */
  get emit(): EventSink {
    return this.deps.emit;
  }

  get operator(): SessionOperator | null {
    return this.current;
  }

  get role(): Role | null {
    return this.current?.role ?? null;
  }

  get actor(): string {
    const acting = this.current ?? this.assisting;
    return acting ? `operator:${acting.id}` : 'anonymous';
  }

  /** An officer or supervisor logged in here, or one called to help on this screen. */
  get officerPresent(): boolean {
    return this.role === 'officer' || this.role === 'supervisor' || this.assisting !== null;
  }

  /** The officer called to this screen, while they help. */
  get assistant(): SessionOperator | null {
    return this.assisting;
  }

  /** An officer identified at this screen (name and PIN, or finger) helps without logging it in. */
  assist(officer: SessionOperator): void {
    if (this.disposed) return;
    this.assisting = officer;
    this.touch();
  }

  endAssist(): void {
    this.assisting = null;
  }

  get idleCountdownRunning(): boolean {
    return this.idle.running;
  }

  login(operator: SessionOperator): void {
    if (this.disposed) return; // e.g. a login still verifying its PIN when the screen went away
    // Another operator at the screen ends what was going on there: nobody carries on someone else's enrollment.
    if (this.current?.id !== operator.id) this.dropCaptureData();
    this.current = operator;
    this.touch(true);
  }

  /** Activity on the screen; `away` says whether it is off the start screen. */
  touch(away?: boolean): void {
    if (away !== undefined) this.away = away;
    if (!this.disposed && (this.current || this.away)) this.idle.restart(this.deps.idleTimeoutSeconds() * 1000, this.deps.idleWarningSeconds() * 1000);
    else this.idle.stop();
  }

  /** Registers in-memory data (captures, frames) to drop when the session ends. */
  onEnd(cleanup: () => void): () => void {
    this.cleanups.add(cleanup);
    return () => this.cleanups.delete(cleanup);
  }

  end(reason: EndReason): void {
    this.current = null;
    this.assisting = null;
    this.away = false;
    this.idle.stop();
    this.dropCaptureData();
    this.deps.emit('session.ended', { reason });
  }

  /** The screen went away (socket closed, window destroyed). */
  dispose(): void {
    this.disposed = true;
    this.current = null;
    this.assisting = null;
    this.idle.stop();
    this.dropCaptureData();
  }

  private dropCaptureData(): void {
    const cleanups = [...this.cleanups];
    this.cleanups.clear();
    for (const cleanup of cleanups) cleanup();
  }
}
