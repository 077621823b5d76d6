// How far a chip read has come, as one fraction for the kiosk's progress bar. Access control
// takes the first 8 %, reading the files the next 84 %, the checks the rest. Among the files the
// portrait (DG2, 10–25 KB where the others are a few hundred bytes to 2 KB) weighs as much as
// twenty others, so the bar moves while it is read and not in jumps around it. The fraction
// never goes back: a stage reported out of order keeps the bar where it is.

import type { ChipFileName, ChipReadProgress } from './chip-reading.js';

const ACCESS_CONTROL_DONE = 0.08;
/** EF.COM is read before the reader knows which files follow. */
const EF_COM_DONE = 0.1;
const FILES_DONE = 0.92;
const VERIFYING = 0.96;
const PORTRAIT_WEIGHT = 20;

export class ChipReadMeter {
  readonly #report: (progress: ChipReadProgress) => void;
  #fraction = 0;
  /** Where each planned file's share of the bar starts and how long it is. */
  #slots = new Map<ChipFileName, { readonly start: number; readonly length: number }>([
    ['EF.COM', { start: ACCESS_CONTROL_DONE, length: EF_COM_DONE - ACCESS_CONTROL_DONE }],
  ]);

  constructor(report: (progress: ChipReadProgress) => void = () => undefined) {
    this.#report = report;
  }

  accessControl(done: boolean): void {
    this.#emit({ stage: 'access-control' }, done ? ACCESS_CONTROL_DONE : 0);
  }

  /** The files to read after EF.COM, in order: they share the rest of the reading span. */
  plan(files: readonly ChipFileName[]): void {
    const weight = (name: ChipFileName) => (name === 'DG2' ? PORTRAIT_WEIGHT : 1);
    const total = files.reduce((sum, name) => sum + weight(name), 0);
    let start = EF_COM_DONE;
    for (const name of files) {
      const length = ((FILES_DONE - EF_COM_DONE) * weight(name)) / total;
      this.#slots.set(name, { start, length });
      start += length;
    }
  }

  /** `bytesRead` of `total` bytes of `file` are in; a skipped file counts as read. */
  reading(file: ChipFileName, bytesRead: number, total: number): void {
    const slot = this.#slots.get(file);
    const share = total > 0 ? Math.min(1, bytesRead / total) : 1;
    this.#emit({ stage: 'reading', file, bytesRead, total }, slot ? slot.start + slot.length * share : this.#fraction);
  }

  authenticating(): void {
    this.#emit({ stage: 'authenticating' }, this.#fraction);
  }

  verifying(): void {
    this.#emit({ stage: 'verifying' }, VERIFYING);
  }

  done(): void {
    this.#emit({ stage: 'verifying' }, 1);
  }

  #emit(progress: Omit<ChipReadProgress, 'fraction'>, fraction: number): void {
    this.#fraction = Math.max(this.#fraction, fraction);
    this.#report({ ...progress, fraction: this.#fraction });
  }
}
