// Tells a keyboard-wedge MRZ reader (one that "types" each line and presses Enter) from a
// person at the keyboard by the timing of the keys, and turns the reader's lines into MRZ
// reads like the serial framings do. Pure logic with no DOM or Node imports: the renderer
// feeds it key events while the document step is active.

import { MrzLineGrouper, type MrzFrameEvent } from './framings.js';

/** A keydown as the renderer sees it: `KeyboardEvent.key` and `KeyboardEvent.timeStamp` (ms). */
export interface WedgeKey {
  readonly key: string;
  readonly at: number;
}

export interface KeyboardWedgeOptions {
  /** A line counts as typed by a reader when the median gap between its keys is at most this. */
  readonly maxMedianGapMs?: number;
  /** A pause longer than this ends a burst: the keys before it were a person's. */
  readonly burstBreakMs?: number;
  /** Shorter bursts are a person's (the shortest MRZ line has 30 characters). */
  readonly minLineLength?: number;
  /** The reader types `_` for the `<` filler. */
  readonly underscorePadding?: boolean;
}

export const KEYBOARD_WEDGE_DEFAULTS = {
  maxMedianGapMs: 35,
  burstBreakMs: 250,
  minLineLength: 30,
  underscorePadding: false,
} as const satisfies Required<KeyboardWedgeOptions>;

/** Keys a reader presses along with characters (for `<` and capitals); they carry no timing. */
const MODIFIER_KEYS: ReadonlySet<string> = new Set(['Shift', 'CapsLock']);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Feed it every key while the document step is active; it returns the MRZ reads (and the
 * broken ones) completed so far. A burst of characters ended by Enter is a reader's line
 * when it is long enough and its keys came fast enough; anything else is discarded as a
 * person's typing. Any key other than a character, Enter or a modifier (Backspace, arrows,
 * Tab…) also marks the burst as a person's.
 */
export class KeyboardWedgeDecoder {
  readonly #options: Required<KeyboardWedgeOptions>;
  readonly #grouper: MrzLineGrouper;
  #burst: WedgeKey[] = [];
  #lastAt: number | undefined;

  constructor(options: KeyboardWedgeOptions = {}) {
    this.#options = { ...KEYBOARD_WEDGE_DEFAULTS, ...options };
    this.#grouper = new MrzLineGrouper(this.#options.underscorePadding);
  }

  push(key: WedgeKey): MrzFrameEvent[] {
    if (MODIFIER_KEYS.has(key.key)) return [];
    const events: MrzFrameEvent[] = [];
    if (this.#lastAt !== undefined && key.at - this.#lastAt > this.#options.burstBreakMs) {
      this.#burst = [];
      events.push(...this.#grouper.end());
    }
    this.#lastAt = key.at;
    if (key.key === 'Enter') {
      events.push(...this.#endLine(key.at));
    } else if (key.key.length === 1) {
      this.#burst.push(key);
    } else {
      this.#burst = [];
    }
    return events;
  }

  /** The document step ends: a document under way is reported as incomplete. */
  flush(): MrzFrameEvent[] {
    this.#burst = [];
    this.#lastAt = undefined;
    return this.#grouper.end();
  }

  #endLine(enterAt: number): MrzFrameEvent[] {
    const burst = this.#burst;
    this.#burst = [];
    if (burst.length === 0) return this.#grouper.end();
    if (burst.length < this.#options.minLineLength) return [];
    const times = [...burst.map((key) => key.at), enterAt];
    const gaps = times.slice(1).map((at, index) => at - (times[index] as number));
    if (median(gaps) > this.#options.maxMedianGapMs) return [];
    const text = burst.map((key) => key.key).join('');
    return this.#grouper.add(text, new TextEncoder().encode(`${text}\r`));
  }
}
