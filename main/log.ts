// The kiosk's log: one JSON object per line on stderr (journald picks it up under
// systemd). Callers pass metadata only; biometric data and document numbers never
// belong in a log line. The last lines of the process stay in memory (`recentLogLines`)
// for the technician's support bundle, which scrubs them again before they leave.

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Lines kept in memory, and the length each is cut to: enough for a support case, bounded. */
export const RECENT_LOG_LINES = 500;
const MAX_KEPT_LINE = 4_096;

/** The newest `capacity` lines, oldest first, in a fixed array that overwrites the oldest. */
export class LogRing {
  private readonly slots: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    const kept = line.length > MAX_KEPT_LINE ? `${line.slice(0, MAX_KEPT_LINE)}…` : line;
    if (this.slots.length < this.capacity) this.slots.push(kept);
    else this.slots[this.next] = kept;
    this.next = (this.next + 1) % this.capacity;
  }

  lines(): string[] {
    return this.slots.length < this.capacity ? [...this.slots] : [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)];
  }
}

const recent = new LogRing(RECENT_LOG_LINES);

/** What this process logged lately (every Log made by createLog), oldest first, without line ends. */
export function recentLogLines(): string[] {
  return recent.lines();
}

export function createLog(component: string, write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  const emit = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    const line = JSON.stringify({ at: new Date().toISOString(), level, component, message, ...fields });
    recent.push(line);
    write(`${line}\n`);
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** For tests and one-shot CLI commands that must keep stderr clean. */
export const silentLog: Log = { info() {}, warn() {}, error() {} };
