// The fingerprint step's data for one enrollment, in memory only: the fingers asked for
// and, for each, its capture (ISO/IEC 19794-4 record, module template, PNG for the screen,
// quality, duplicate flag, who captured it) or the officer's exception with its evidence;
// and the finger being captured now.

import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { FingerExceptionReason, FingerOutcome, FingerprintStep, FingerQuality } from '../rpc/schemas.js';
import { evidenceView, type ExceptionEvidence, type OperatorRefView } from './exception-evidence.js';

type CapturedOutcome = Extract<z.infer<typeof FingerOutcome>, { kind: 'captured' }>;
export type DuplicateOf = CapturedOutcome['duplicateOf'];

export interface FingerCapture {
  kind: 'captured';
  position: number;
  /** ISO/IEC 19794-4:2005 finger image record (PNG inside): what the sealed record carries. */
  isoRecord: Uint8Array;
  /** The module's 512-byte template, kept for the record and to compare later fingers with. */
  template: Uint8Array;
  png: Uint8Array;
  quality: z.infer<typeof FingerQuality>;
  qualityAccepted: boolean;
  attempts: number;
  duplicateOf: DuplicateOf;
  /** The officer at the screen; null when the person captured it without one (never in the person flow). */
  by: OperatorRefView | null;
}

export interface FingerException extends ExceptionEvidence<z.infer<typeof FingerExceptionReason>> {
  kind: 'exception';
  position: number;
}

export type FingerOutcomeRecord = FingerCapture | FingerException;

export class FingerprintCaptures {
  readonly #outcomes = new Map<number, FingerOutcomeRecord>();
  #capturing: number | null = null;

  constructor(readonly requested: readonly number[]) {}

  /** Marks `position` as being captured; one finger at a time, requested fingers only. */
  beginCapture(position: number): void {
    this.#requireRequested(position);
    if (this.#capturing !== null) {
      throw new GatehouseError('FINGERPRINT_CAPTURE_RUNNING', 'Another finger is being captured; wait for it or cancel it first.',
        { capturing: this.#capturing });
    }
    this.#capturing = position;
  }

  endCapture(): void {
    this.#capturing = null;
  }

  record(capture: FingerCapture): void {
    this.#requireRequested(capture.position);
    this.#outcomes.set(capture.position, capture);
  }

  /** The officer's record that a finger cannot be captured; replaces an earlier capture of it. */
  recordException(exception: FingerException): void {
    this.#refuseWhileCapturing(exception.position);
    this.#outcomes.set(exception.position, exception);
  }

  /** Drops a finger's capture or exception (the officer wants it captured again). */
  discard(position: number): void {
    this.#refuseWhileCapturing(position);
    this.#outcomes.delete(position);
  }

  /** The other captured fingers, to compare a new capture with. */
  capturedExcept(position: number): FingerCapture[] {
    return this.#captures().filter((capture) => capture.position !== position);
  }

  captured(position: number): FingerCapture {
    const outcome = this.#outcomes.get(position);
    if (outcome?.kind !== 'captured') {
      throw new GatehouseError('FINGERPRINT_NOT_CAPTURED', 'That finger has not been captured.', { position });
    }
    return outcome;
  }

  /** Refuses to leave the step while a finger lacks an outcome (a duplicate warning is kept, for a second approver to weigh). */
  assertComplete(): void {
    if (this.#capturing !== null) {
      throw new GatehouseError('FINGERPRINT_CAPTURE_RUNNING', 'A finger is still being captured.');
    }
    const missing = this.requested.filter((position) => !this.#outcomes.has(position));
    if (missing.length > 0) {
      throw new GatehouseError('FINGERPRINT_STEP_INCOMPLETE',
        'Every requested finger needs a capture or an exception before the step can end.', { missing });
    }
  }

  /** Each requested finger's capture or exception, in the order asked for (pending fingers left out). */
  outcomes(): FingerOutcomeRecord[] {
    return this.requested.flatMap((position) => this.#outcomes.get(position) ?? []);
  }

  /** Counts for the audit log (no biometric data). */
  summary(): { captured: number; exceptions: number } {
    const captured = this.#captures().length;
    return { captured, exceptions: this.#outcomes.size - captured };
  }

  view(): z.infer<typeof FingerprintStep> {
    return {
      fingers: this.requested.map((position) => ({ position, outcome: outcomeView(this.#outcomes.get(position)) })),
      capturing: this.#capturing,
    };
  }

  clear(): void {
    this.#outcomes.clear();
    this.#capturing = null;
  }

  #captures(): FingerCapture[] {
    return [...this.#outcomes.values()].filter((outcome): outcome is FingerCapture => outcome.kind === 'captured');
  }

  #refuseWhileCapturing(position: number): void {
    this.#requireRequested(position);
    if (this.#capturing === position) {
      throw new GatehouseError('FINGERPRINT_CAPTURE_RUNNING', 'This finger is being captured right now; cancel the capture first.');
    }
  }

  #requireRequested(position: number): void {
    if (!this.requested.includes(position)) {
      throw new GatehouseError('FINGERPRINT_NOT_REQUESTED', 'This enrollment does not ask for that finger.',
        { position, requested: [...this.requested] });
    }
  }
}

function outcomeView(outcome: FingerOutcomeRecord | undefined): z.infer<typeof FingerOutcome> {
  if (!outcome) return { kind: 'pending' };
  if (outcome.kind === 'exception') return { kind: 'exception', ...evidenceView(outcome) };
  const { quality, qualityAccepted, attempts, duplicateOf, by } = outcome;
  return { kind: 'captured', quality, qualityAccepted, attempts, duplicateOf, by };
}
