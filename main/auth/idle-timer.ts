// Counts down a screen's inactivity: a warning every second during the last stretch
// (so the screen can show a countdown), then expiry. Pure timing, no knowledge of
// sessions, so it is tested with fake timers.

export interface IdleTimerOptions {
  timeoutMs: number;
  /** How long before expiry the countdown starts; defaults to min(30 s, timeout / 2). */
  warningMs?: number;
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

  /** (Re)starts the countdown from the full timeout. */
  restart(timeoutMs = this.options.timeoutMs): void {
    this.stop();
    this.deadline = Date.now() + timeoutMs;
    const warningMs = this.options.warningMs ?? Math.min(30_000, timeoutMs / 2);
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
