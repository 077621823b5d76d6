// One enrollment: the aggregate the workflow moves through the transition table. It holds
// its flow and state, who ran it, and what each step captured (the document, the face or its
// exception, the fingers, the details, the consent), each with the operator who captured it.
// Captures live in memory until the record is sealed, or the enrollment is held for a
// supervisor (then sealed to the kiosk's own key: held-enrollment.ts). The state changes only
// through the workflow, after the change that goes with it has been committed.

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type {
  ConsentAcceptance, Enrollment as EnrollmentSchema, EnrollmentDetails, FaceExceptionReason, Flow, LivenessExceptionReason,
  ReadFailure, Step,
} from '../rpc/schemas.js';
import type { ChipCheck, ChipOutcome } from './chip-check.js';
import type { DocumentCapture } from './document-capture.js';
import { evidenceView, type ExceptionEvidence, type OperatorRefView } from './exception-evidence.js';
import { faceOutcomeFacts, type FaceOutcome } from './face-check.js';
import { FingerprintCaptures } from './fingerprint-captures.js';
import { secondApprovalReasons, type SecondApprovalReasonName } from './four-eyes.js';
import { isCaptureState, stepsOf, type EnrollmentState } from './transitions.js';

export type EnrollmentView = z.infer<typeof EnrollmentSchema>;
export type ReadFailureView = z.infer<typeof ReadFailure>;
export type Details = z.infer<typeof EnrollmentDetails>;
export type Consent = z.infer<typeof ConsentAcceptance>;
export type FaceException = ExceptionEvidence<z.infer<typeof FaceExceptionReason>>;
export type LivenessException = ExceptionEvidence<z.infer<typeof LivenessExceptionReason>>;

export interface AcceptedDocument {
  readonly capture: DocumentCapture;
  /** The chip as it was dealt with (read with a verdict, or skipped); null when there was none to read. */
  readonly chip: ChipOutcome | null;
  /** The officer who accepted the read; null for a business owner alone. */
  readonly by: OperatorRefView | null;
}

export interface AcceptedFace {
  readonly outcome: FaceOutcome;
  /** Why a face taken without a passed challenge was kept; required then, null otherwise. */
  readonly livenessException: LivenessException | null;
  /** The officer who took the picture, decided the review band or recorded the exception; null when none was needed. */
  readonly by: OperatorRefView | null;
}

export interface EnrollmentInit {
  id?: string;
  flow: Flow;
  ranBy: OperatorRefView | null;
  startedAt: string;
  fingers: readonly number[];
  /** The flows in which the station asks a second approval for every enrollment, as they stand when it is approved. */
  alwaysSecondApproval?: () => readonly Flow[];
}

export class Enrollment {
  readonly id: string;
  readonly flow: Flow;
  readonly ranBy: OperatorRefView | null;
  readonly startedAt: string;
  readonly steps: readonly Step[];
  /** The fingers asked for and what became of them; null in flows without fingerprints. */
  readonly fingerprints: FingerprintCaptures | null;
  #state: EnrollmentState = 'document';
  #lastStep: Step = 'document';
  #document: AcceptedDocument | null = null;
  #pending: DocumentCapture | null = null;
  /** The chip of the pending read, when there is one to read. */
  #chip: ChipCheck | null = null;
  #failure: ReadFailureView | null = null;
  #face: AcceptedFace | null = null;
  #faceException: FaceException | null = null;
  #details: Details | null = null;
  #consent: Consent | null = null;
  #assistedBy: OperatorRefView | null = null;
  #held: { by: OperatorRefView; at: string } | null = null;
  #revision = 0;
  readonly #closed = new AbortController();
  readonly #alwaysSecondApproval: () => readonly Flow[];

  constructor(init: EnrollmentInit) {
    this.id = init.id ?? randomUUID();
    this.flow = init.flow;
    this.ranBy = init.ranBy;
    this.startedAt = init.startedAt;
    this.steps = stepsOf(init.flow);
    this.fingerprints = this.steps.includes('fingerprints') ? new FingerprintCaptures(init.fingers) : null;
    this.#alwaysSecondApproval = init.alwaysSecondApproval ?? (() => []);
  }

  get state(): EnrollmentState {
    return this.#state;
  }

  /** The step it is on; once held or ended, the last one it was on. */
  get step(): Step {
    return this.#lastStep;
  }

  /** Only the workflow calls this, once the transition is committed. */
  enter(state: EnrollmentState): void {
    this.#revision += 1;
    this.#state = state;
    if (isCaptureState(state)) this.#lastStep = state;
  }

  get document(): AcceptedDocument | null {
    return this.#document;
  }

  get face(): AcceptedFace | null {
    return this.#face;
  }

  get faceException(): FaceException | null {
    return this.#faceException;
  }

  get details(): Details | null {
    return this.#details;
  }

  get consent(): Consent | null {
    return this.#consent;
  }

  /** The officer called to this screen while they assist (company flow, face step). */
  get assistedBy(): OperatorRefView | null {
    return this.#assistedBy;
  }

  set assistedBy(officer: OperatorRefView | null) {
    this.#assistedBy = officer;
  }

  /** Who held it for a supervisor's review and when, as its sealed copy says; null until then. */
  get held(): { by: OperatorRefView; at: string } | null {
    return this.#held;
  }

  /** Only the held-enrollment codec sets this, when it rebuilds a held enrollment. */
  set held(held: { by: OperatorRefView; at: string } | null) {
    this.#held = held;
  }

  /** Goes up with every change an approver would see (a step, the details, the consent): an approval checks it did not move. */
  get revision(): number {
    return this.#revision;
  }

  /** A reader produced a document; kept as pending (with its chip to read, if any) while the document step shows. */
  offerRead(capture: DocumentCapture, chip: ChipCheck | null = null): boolean {
    if (this.#state !== 'document') return false;
    this.#chip?.drop();
    this.#pending = capture;
    this.#chip = chip;
    this.#failure = null;
    return true;
  }

  /** The chip of the pending read `readId` (ENROLLMENT_NO_SUCH_READ unless it is current and has a chip to read). */
  pendingChip(readId?: string): ChipCheck {
    if (this.#state !== 'document' || !this.#pending || !this.#chip || (readId !== undefined && this.#pending.view.readId !== readId)) {
      throw new GatehouseError('ENROLLMENT_NO_SUCH_READ', 'That document read is no longer current; read the document again.');
    }
    return this.#chip;
  }

  /** The chip waiting to be read on this enrollment's screen with the document placed as `placement`, if any. */
  chipToRead(placement: number): ChipCheck | null {
    return this.#state === 'document' && this.#chip?.wantsRead(placement) ? this.#chip : null;
  }

  offerFailure(failure: ReadFailureView): boolean {
    if (this.#state !== 'document') return false;
    this.#failure = failure;
    return true;
  }

  /**
   * The pending read as the officer accepts it (as read, or with its suggested OCR correction)
   * with what became of its chip; refused unless it checks out and its chip was dealt with.
   */
  pendingReadToAccept(readId: string, useCorrection: boolean): Omit<AcceptedDocument, 'by'> {
    const pending = this.#pending;
    if (this.#state !== 'document' || !pending || pending.view.readId !== readId) {
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
    const chip = this.#chip?.outcome() ?? null;
    return { capture: { ...accepted, view: { ...accepted.view, chip: chip?.view ?? null } }, chip };
  }

  setDocument(document: AcceptedDocument): void {
    this.#document = document;
    this.#pending = null;
    this.#chip = null;
  }

  retryDocument(): void {
    this.#chip?.drop();
    this.#chip = null;
    this.#pending = null;
    this.#failure = null;
  }

  /** The fingerprint step's captures, while the enrollment is on that step. */
  fingerprintStep(): FingerprintCaptures {
    if (this.#state !== 'fingerprints' || !this.fingerprints) throw this.notAt('fingerprints');
    return this.fingerprints;
  }

  setFace(face: AcceptedFace): void {
    this.#face = face;
  }

  setFaceException(exception: FaceException): void {
    this.#faceException = exception;
  }

  setDetails(details: Details): void {
    if (details.flow !== this.flow) {
      throw new GatehouseError('ENROLLMENT_WRONG_FLOW', `These are ${details.flow} details; this enrollment is for a ${this.flow}.`,
        { flow: this.flow });
    }
    this.#details = details;
  }

  /** The person ticked (or unticked: null) the consent on the review step; going back to the details clears it. */
  setConsent(consent: Consent | null): void {
    if (this.#state !== 'review' && consent !== null) throw this.notAt('review');
    this.#revision += 1;
    this.#consent = consent;
  }

  /** What sealing or holding needs: refuses an enrollment whose consent is missing. */
  readyToSeal(): { document: AcceptedDocument; details: Details; consent: Consent } {
    if (this.#state !== 'review' && this.#state !== 'awaiting-review') throw this.notAt('review');
    const document = this.#document!; // the document step ends only with one accepted
    const details = this.#details!; // the details step ends only with details saved
    if (!this.#consent) throw new GatehouseError('ENROLLMENT_NO_CONSENT', 'The person has not accepted the consent text yet.');
    return { document, details, consent: this.#consent };
  }

  /** Why approving needs a second operator; empty when one officer may approve. */
  secondApproval(): SecondApprovalReasonName[] {
    const face = this.#face;
    return secondApprovalReasons({
      face: face && { decision: face.outcome.verification.decision === 'match' ? 'match' : 'review', livenessPassed: face.outcome.livenessPassed },
      faceException: this.#faceException !== null,
      chipSkipped: this.#document?.chip?.view.status === 'skipped',
      fingers: (this.fingerprints?.outcomes() ?? []).map((finger) => (finger.kind === 'exception'
        ? { kind: 'exception' } : { kind: 'captured', duplicate: finger.duplicateOf !== null })),
      stationRule: this.#alwaysSecondApproval().includes(this.flow),
    });
  }

  /** Every operator who ran it, captured part of it or held it for review: none of them may be its second approver. */
  participants(): Set<number> {
    const face = this.#face;
    const chip = this.#document?.chip?.view;
    const refs = [
      this.ranBy, this.#held?.by, this.#document?.by,
      chip?.status === 'skipped' ? chip.by : chip?.status === 'done' ? chip.acknowledgedBy : null, face?.by, face?.outcome.capturedBy, face?.outcome.decidedBy,
      face?.livenessException?.by, this.#faceException?.by,
      ...(this.fingerprints?.outcomes() ?? []).map((finger) => finger.by),
    ];
    return new Set(refs.flatMap((ref) => (ref ? [ref.id] : [])));
  }

  /** Aborted when the enrollment leaves the screen (sealed, held, cancelled, abandoned), so work for it stops. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** Drops every capture from memory. */
  close(): void {
    this.fingerprints?.clear();
    this.#document = null;
    this.#chip?.drop();
    this.#chip = null;
    this.#pending = null;
    this.#face = null;
    this.#faceException = null;
    this.#details = null;
    this.#consent = null;
    this.#assistedBy = null;
    this.#closed.abort();
  }

  notAt(step: Step): GatehouseError {
    return new GatehouseError('ENROLLMENT_WRONG_STEP', `The enrollment is at the ${this.step} step, not the ${step} step.`,
      { step: this.step, expected: step });
  }

  view(): EnrollmentView {
    const face = this.#face;
    return {
      id: this.id,
      flow: this.flow,
      steps: [...this.steps],
      state: this.#state,
      step: this.step,
      ranBy: this.ranBy,
      assistedBy: this.#assistedBy,
      document: this.#document?.capture.view ?? null,
      pendingRead: this.#pending && { ...this.#pending.view, chip: this.#chip?.view() ?? null },
      readFailure: this.#failure,
      fingerprints: this.fingerprints?.view() ?? null,
      faceException: this.#faceException && evidenceView(this.#faceException),
      face: face && (() => {
        const { decision, distance, thresholds, capture, livenessPassed, portraitSource } = faceOutcomeFacts(face.outcome);
        return {
          decision: decision === 'match' ? 'match' as const : 'review' as const,
          distance,
          thresholds,
          capture,
          livenessPassed,
          portraitSource,
          livenessException: face.livenessException && evidenceView(face.livenessException),
          by: face.by,
        };
      })(),
      details: this.#details,
      consent: this.#consent,
      secondApproval: this.secondApproval(),
    };
  }
}
