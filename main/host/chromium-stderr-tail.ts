// The last lines the kiosk's Chromium wrote to stderr, kept in a bounded buffer so that when
// it ends, the technician sees what it said last (on serve's stderr and in the log, never on
// an officer's screen). Bounded in lines and in characters per line, whatever Chromium writes;
// one-time page addresses are blanked (a spent one opens nothing, but addresses stay out of
// logs), and the D-Bus complaints of a kiosk session without a desktop bus are left out so
// they do not push out the lines that matter.

const KEEP_LINES = 12;
const MAX_LINE_CHARS = 400;
const NOISE = [/dbus\/(bus|object_proxy)\.cc/, /Failed to connect to the bus/];
const PAGE_ADDRESS = /bootstrap=[^\s"'&]+/g;

export class ChromiumStderrTail {
  readonly #lines: string[] = [];
  #partial = '';

  write(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n');
    // One character past the bound is kept, so the cut shows as '…'.
    this.#partial = parts.pop()!.slice(0, MAX_LINE_CHARS + 1);
    for (const line of parts) this.#keep(line);
  }

  /** The kept lines, oldest first, with an unfinished last line. */
  lines(): string[] {
    return isWorthKeeping(this.#partial) ? [...this.#lines, this.#clean(this.#partial)].slice(-KEEP_LINES) : [...this.#lines];
  }

  #keep(line: string): void {
    if (!isWorthKeeping(line)) return;
    this.#lines.push(this.#clean(line));
    if (this.#lines.length > KEEP_LINES) this.#lines.shift();
  }

  #clean(line: string): string {
    const clean = line.replace(PAGE_ADDRESS, 'bootstrap=…').trimEnd();
    return clean.length > MAX_LINE_CHARS ? `${clean.slice(0, MAX_LINE_CHARS)}…` : clean;
  }
}

function isWorthKeeping(line: string): boolean {
  return line.trim() !== '' && !NOISE.some((pattern) => pattern.test(line));
}
