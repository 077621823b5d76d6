// The kiosk's log: one JSON object per line on stderr (journald picks it up under
// systemd). Callers pass metadata only; biometric data and document numbers never
// belong in a log line.

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLog(component: string, write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  const emit = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    write(`${JSON.stringify({ at: new Date().toISOString(), level, component, message, ...fields })}\n`);
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** For tests and one-shot CLI commands that must keep stderr clean. */
export const silentLog: Log = { info() {}, warn() {}, error() {} };
