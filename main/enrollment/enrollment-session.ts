// One enrollment in progress on one screen, as an explicit state machine: the flow's
// steps in order, and what each step captured. Everything lives in memory only until
// the record is sealed; ending the session drops it.

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { Enrollment, EnrollmentStep, ReadFailure } from '../rpc/contract.js';
import type { DocumentCapture } from './document-capture.js';

export type Flow = 'person' | 'company';
type Step = z.infer<typeof EnrollmentStep>;
export type EnrollmentView = z.infer<typeof Enrollment>;
export type ReadFailureView = z.infer<typeof ReadFailure>;

export const FLOW_STEPS: Record<Flow, readonly Step[]> = {
  person: ['document', 'face', 'fingerprints', 'details', 'review'],
  // A business owner proves who they are; the company details replace fingerprints.
  company: ['document', 'face', 'details', 'review'],
};

export class EnrollmentSession {
  readonly id = randomUUID();
  #stepIndex = 0;
  #document: DocumentCapture | null = null;
  #pending: DocumentCapture | null = null;
  #failure: ReadFailureView | null = null;

  constructor(readonly flow: Flow) {}

  get step(): Step {
    return FLOW_STEPS[this.flow][this.#stepIndex]!;
  }

  get document(): DocumentCapture | null {
    return this.#document;
  }

  /** A reader produced a document; kept as pending while the document step shows. */
  offerRead(capture: DocumentCapture): boolean {
    if (this.step !== 'document') return false;
    this.#pending = capture;
    this.#failure = null;
    return true;
  }

  offerFailure(failure: ReadFailureView): boolean {
    if (this.step !== 'document') return false;
    this.#failure = failure;
    return true;
  }

  /** The officer accepts the pending read, as read or with its suggested OCR correction. */
  acceptDocument(readId: string, useCorrection: boolean): DocumentCapture {
    const pending = this.#pending;
    if (this.step !== 'document' || !pending || pending.view.readId !== readId) {
      throw new GatehouseError('ENROLLMENT_NO_SUCH_READ', 'That document read is no longer current; read the document again.');
    }
    const suggestion = pending.view.suggestedCorrection;
    if (useCorrection && !suggestion) {
      throw new GatehouseError('ENROLLMENT_NO_CORRECTION', 'There is no suggested correction for this read.');
    }
    const accepted: DocumentCapture = useCorrection && suggestion
      ? { ...pending, view: { ...pending.view, fields: suggestion.fields, valid: true } }
      : pending;
    if (!accepted.view.valid) {
      throw new GatehouseError('ENROLLMENT_DOCUMENT_INVALID', 'The document does not check out (a check digit or checksum fails). Read it again or use another document.');
    }
    if (accepted.view.expired) {
      throw new GatehouseError('ENROLLMENT_DOCUMENT_EXPIRED', 'The document has expired; it cannot be used for enrollment.');
    }
    this.#document = accepted;
    this.#pending = null;
    this.#stepIndex += 1;
    return accepted;
  }

  retryDocument(): void {
    this.#pending = null;
    this.#failure = null;
  }

  view(): EnrollmentView {
    return {
      id: this.id,
      flow: this.flow,
      steps: [...FLOW_STEPS[this.flow]],
      step: this.step,
      document: this.#document?.view ?? null,
      pendingRead: this.#pending?.view ?? null,
      readFailure: this.#failure,
    };
  }
}
