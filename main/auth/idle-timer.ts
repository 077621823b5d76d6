// Counts down a screen's inactivity: a warning every second during the last stretch
// (so the screen can show a countdown), then expiry. Pure timing, no knowledge of
// sessions, so it is tested with fake timers.

export interface IdleTimerOptions {
  onWarning(secondsLeft: number): void;
  onExpire(): void;
}

export class IdleTimer {
  private timer: NodeJS.Timeout | null = null;
  private deadline = 0;

  constructor(private readonly options: IdleTimerOptions) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** (Re)starts the countdown from the full timeout; the warnings start `warningMs` before expiry (at once if that is longer). */
  restart(timeoutMs: number, warningMs: number): void {
    this.stop();
    this.deadline = Date.now() + timeoutMs;
    this.schedule(timeoutMs - warningMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  private tick(): void {
    const leftMs = this.deadline - Date.now();
    if (leftMs <= 0) {
      this.timer = null;
      this.options.onExpire();
      return;
    }
    const secondsLeft = Math.ceil(leftMs / 1000);
    this.options.onWarning(secondsLeft);
    this.schedule(leftMs - (secondsLeft - 1) * 1000);
  }
}
