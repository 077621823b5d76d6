// One enrollment in progress on one screen, as an explicit state machine: the flow's
// steps in order, and what each step captured. Everything lives in memory only until
// the record is sealed; ending the session drops it.

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type {
  ConsentAcceptance, Enrollment, EnrollmentDetails, EnrollmentStep, FaceExceptionReason, ReadFailure,
} from '../rpc/contract.js';
import type { DocumentCapture } from './document-capture.js';
import type { FaceOutcome } from './face-check.js';
import { FingerprintCaptures } from './fingerprint-captures.js';
import { DEFAULT_FINGERS } from './fingerprint-policy.js';

export type Flow = 'person' | 'company';
type Step = z.infer<typeof EnrollmentStep>;
export type EnrollmentView = z.infer<typeof Enrollment>;
export type ReadFailureView = z.infer<typeof ReadFailure>;
export type Details = z.infer<typeof EnrollmentDetails>;
export type Consent = z.infer<typeof ConsentAcceptance>;
type FaceException = { reason: z.infer<typeof FaceExceptionReason> };

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
  /** The fingers asked for and what became of them; null in flows without fingerprints. */
  readonly fingerprints: FingerprintCaptures | null;
  #faceException: FaceException | null = null;
  #face: FaceOutcome | null = null;
  #details: Details | null = null;
  #consent: Consent | null = null;
  readonly #closed = new AbortController();

  constructor(readonly flow: Flow, fingers: readonly number[] = DEFAULT_FINGERS) {
    this.fingerprints = FLOW_STEPS[flow].includes('fingerprints') ? new FingerprintCaptures(fingers) : null;
  }

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
    const corrected = pending.correctedView;
    if (useCorrection && !corrected) {
      throw new GatehouseError('ENROLLMENT_NO_CORRECTION', 'There is no suggested correction for this read.');
    }
    const accepted: DocumentCapture = useCorrection && corrected ? { ...pending, view: corrected } : pending;
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

  /** The fingerprint step's captures, while the flow is on that step. */
  fingerprintStep(): FingerprintCaptures {
    if (this.step !== 'fingerprints' || !this.fingerprints) throw this.#notAt('fingerprints');
    return this.fingerprints;
  }

  /** Leaves the fingerprint step once every requested finger has a capture or an exception. */
  finishFingerprints(): void {
    this.fingerprintStep().assertComplete();
    this.#stepIndex += 1;
  }

  /** The officer's decision that the face cannot be captured: recorded, and the flow moves on. */
  recordFaceException(reason: z.infer<typeof FaceExceptionReason>): void {
    if (this.step !== 'face') throw this.#notAt('face');
    this.#faceException = { reason };
    this.#stepIndex += 1;
  }

  get face(): FaceOutcome | null {
    return this.#face;
  }

  /** The face check passed (match, or the officer confirmed a review result): keep it, move on. */
  completeFace(outcome: FaceOutcome): void {
    if (this.step !== 'face') throw this.#notAt('face');
    this.#face = outcome;
    this.#stepIndex += 1;
  }

  get faceException(): FaceException | null {
    return this.#faceException;
  }

  /** The details step's form for this flow: kept, and the flow moves on to the review. */
  saveDetails(details: Details): void {
    if (this.step !== 'details') throw this.#notAt('details');
    if (details.flow !== this.flow) {
      throw new GatehouseError('ENROLLMENT_WRONG_FLOW', `These are ${details.flow} details; this enrollment is for a ${this.flow}.`,
        { flow: this.flow });
    }
    this.#details = details;
    this.#stepIndex += 1;
  }

  /** Back from the review to change the details; the consent is asked for again. */
  reopenDetails(): void {
    if (this.step !== 'review') throw this.#notAt('review');
    this.#consent = null;
    this.#stepIndex -= 1;
  }

  /** The person ticked (or unticked: null) the consent on the review step. */
  setConsent(consent: Consent | null): void {
    if (this.step !== 'review') throw this.#notAt('review');
    this.#consent = consent;
  }

  /** What sealing needs: refuses an enrollment that is not on review or whose consent is missing. */
  readyToSeal(): { document: DocumentCapture; details: Details; consent: Consent } {
    if (this.step !== 'review') throw this.#notAt('review');
    const document = this.#document!; // the document step ends only with one accepted
    const details = this.#details!; // the details step ends only with details saved
    if (!this.#consent) throw new GatehouseError('ENROLLMENT_NO_CONSENT', 'The person has not accepted the consent text yet.');
    return { document, details, consent: this.#consent };
  }

  /** Aborted when the enrollment ends (cancelled, abandoned), so work for it stops. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** Ends the enrollment (sealed, cancelled or abandoned): its captures are dropped. */
  close(): void {
    this.fingerprints?.clear();
    this.#document = null;
    this.#pending = null;
    this.#face = null;
    this.#details = null;
    this.#consent = null;
    this.#closed.abort();
  }

  #notAt(step: Step): GatehouseError {
    return new GatehouseError('ENROLLMENT_WRONG_STEP', `The enrollment is at the ${this.step} step, not the ${step} step.`,
      { step: this.step, expected: step });
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
      fingerprints: this.fingerprints?.view() ?? null,
      faceException: this.#faceException,
      face: this.#face && {
        decision: this.#face.verification.decision === 'match' ? 'match' : 'review',
        distance: this.#face.verification.distance,
        capture: this.#face.capture,
        livenessPassed: this.#face.livenessPassed,
      },
      details: this.#details,
      consent: this.#consent,
    };
  }
}
