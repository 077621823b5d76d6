// Reads the chips of documents being enrolled: when a document whose MRZ was read is on the
// chip reader (or arrives there), its chip is read with the MRZ's key (or the CAN typed at the
// screen), progress goes to the screen, and the verdict is kept on the pending read and
// audited. One chip reader, so one reading at a time; the latest pending read goes first.

import { appendAudit } from '../audit/audit-log.js';
import { DeviceError } from '../../native/device-error.js';
import type { ChipAccessKey, ChipReading, ChipReadProgress } from '../../native/emrtd/chip-reading.js';
import { portraitJpeg } from '../../native/emrtd/portrait-image.js';
import { GatehouseError } from '../errors.js';
import type { Log } from '../log.js';
import type { Db } from '../store/database.js';
import { ChipCheck } from './chip-check.js';
import type { DocumentCapture } from './document-capture.js';
import type { Enrollment } from './enrollment.js';

/** The chip reader as the enrollment sees it (main/devices/chip-reader-service.ts). */
export interface ChipSource {
  readonly cardPresent: boolean;
  on(event: 'card', listener: (present: boolean) => void): unknown;
  read(key: ChipAccessKey, options: { onProgress: (progress: ChipReadProgress) => void; signal: AbortSignal }): Promise<ChipReading>;
}

/** What the chips need of the workflow: which enrollment's chip to read next, and telling its screens. */
export interface ChipScreens {
  /** The enrollment whose pending read's chip waits to be read on document placement `placement` (the latest read first), if any. */
  nextChipToRead(placement: number): { enrollment: Enrollment; check: ChipCheck } | null;
  emit(enrollment: Enrollment): void;
}

/** Progress goes to the screen in steps of this much (a DG2 read is a hundred or more APDUs). */
const PROGRESS_STEP = 0.02;

export class DocumentChips {
  #reading = false;
  /** How many times a document was placed on the reader: a failed reading is tried again only on a new placement. */
  #placement = 0;

  constructor(private readonly reader: ChipSource, private readonly screens: ChipScreens, private readonly deps: { db: Db; log: Log }) {
    reader.on('card', (present) => {
      if (!present) return;
      this.#placement += 1;
      this.poke();
    });
  }

  /** A check for the capture's chip, or null for a document without one; its reading starts as soon as it can. */
  checkFor(capture: DocumentCapture): ChipCheck | null {
    if (!capture.chip) return null;
    const check = new ChipCheck({ ...capture, chip: capture.chip });
    queueMicrotask(() => this.poke());
    return check;
  }

  /** Starts the next reading if the reader is free and a document is on it. */
  poke(): void {
    if (this.#reading || !this.reader.cardPresent) return;
    const next = this.screens.nextChipToRead(this.#placement);
    if (next) void this.#read(next.enrollment, next.check);
  }

  async #read(enrollment: Enrollment, check: ChipCheck): Promise<void> {
    this.#reading = true;
    const signal = AbortSignal.any([check.begin(this.#placement), enrollment.closed]);
    const key: ChipAccessKey = check.can !== null ? { kind: 'can', can: check.can } : { kind: 'mrz', ...check.capture.chip.key };
    let shown = 0;
    this.screens.emit(enrollment);
    try {
      const reading = await this.reader.read(key, {
        signal,
        onProgress: (progress) => {
          check.progress(progress);
          if (progress.fraction - shown >= PROGRESS_STEP || progress.fraction === 1) {
            shown = progress.fraction;
            this.screens.emit(enrollment);
          }
        },
      });
      if (signal.aborted) return;
      // A verdict stands only with its audit entry: if that cannot be written, the read failed.
      const view = check.finish(reading, await this.#portrait(enrollment, reading));
      appendAudit(this.deps.db, {
        actor: 'system',
        action: view.verdict === 'failed' ? 'enrollment.chip-failed' : 'enrollment.chip-read',
        details: { enrollmentId: enrollment.id, verdict: view.verdict, reason: view.reason, access: view.access, openedWith: key.kind },
      });
    } catch (error) {
      if (signal.aborted) return; // the read or the enrollment is gone
      this.#failed(enrollment, check, key, error);
    } finally {
      this.#reading = false;
      if (!enrollment.closed.aborted) this.screens.emit(enrollment);
      this.poke();
    }
  }

  /** The portrait as a JPEG for the face check; null (logged) when the chip's image cannot be decoded. */
  async #portrait(enrollment: Enrollment, reading: ChipReading): Promise<Uint8Array | null> {
    if (!reading.portrait) return null;
    try {
      return (await portraitJpeg(reading.portrait)).jpeg;
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      this.deps.log.warn('the chip portrait could not be decoded', { enrollmentId: enrollment.id, code: error.code, format: reading.portrait.format });
      return null;
    }
  }

  #failed(enrollment: Enrollment, check: ChipCheck, key: ChipAccessKey, error: unknown): void {
    if (error instanceof DeviceError && error.code === 'CHIP_NEEDS_CAN') {
      check.needsCan(false);
    } else if (error instanceof DeviceError && error.code === 'CHIP_ACCESS_DENIED' && key.kind === 'can') {
      check.needsCan(true);
    } else if (error instanceof DeviceError) {
      check.fail(error.code, error.message);
    } else {
      check.fail('CHIP_READ_FAILED', 'The chip could not be read.');
    }
    const code = error instanceof DeviceError || error instanceof GatehouseError ? error.code : error instanceof Error ? error.name : 'unknown';
    this.deps.log.warn('a document chip was not read', { enrollmentId: enrollment.id, code, openedWith: key.kind });
  }
}
