// The face step of one enrollment: the document portrait (from the document's chip when it
// was read, else a camera capture of the photo page), live guidance frames with the liveness
// challenge, the best frames kept by quality, and the verification with its decision
// band. Frames and portraits stay in memory; only the outcome goes into the record.

import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { OperatorRefView } from './exception-evidence.js';
import type { FrameAnalysis } from '../face/face-analyzer.js';
import type { FaceCrop } from '../face/face-crop.js';
import type { FaceWorkerClient } from '../face/face-worker-client.js';
import {
  advanceLiveness, livenessFrameOf, startLiveness, type LivenessState,
} from '../face/liveness.js';
import { keepBestFrames, type VerificationResult } from '../face/verification.js';
import type { PreparedPortrait } from '../face/worker-protocol.js';
import type { PortraitSource } from '../rpc/procedures/face.js';

export type PortraitSourceName = z.infer<typeof PortraitSource>;

interface KeptFrame {
  readonly jpeg: Uint8Array;
  readonly score: number;
  /** What guidance found of the face, so verification need not decode the frame or detect the face again. */
  readonly crop: FaceCrop | null;
}

/** What the record keeps of the face step. */
export interface FaceOutcome {
  readonly verification: VerificationResult;
  /** The best live frame (JPEG), the capture stored with the record. */
  readonly livePortrait: Uint8Array;
  readonly documentPortrait: Uint8Array;
  /** Where the document portrait came from: the chip, or the camera's photo of the photo page (documents without a chip read). */
  readonly portraitSource: PortraitSourceName;
  /** Automatic after the challenge, or taken by the officer without it. */
  readonly capture: 'automatic' | 'officer';
  readonly livenessPassed: boolean;
  /** For a 'review' band: what the officer decided; null until decided or when not needed. */
  readonly officerDecision: 'same-person' | 'not-same-person' | null;
  /** The officer who took the picture without the challenge; null for an automatic capture. */
  readonly capturedBy: OperatorRefView | null;
  /** The officer who decided a 'review' band; null when nobody had to. */
  readonly decidedBy: OperatorRefView | null;
}

/**
 * The outcome without its images: what the screen is shown and the sealed record keeps, including
 * the recognition engine that decided (id, model sha256, distance metric) next to the bands it used.
 */
export function faceOutcomeFacts({ verification, capture, livenessPassed, officerDecision, portraitSource }: FaceOutcome) {
  const { decision, distance, thresholds, modelHash, backend, engine } = verification;
  return { decision, distance, thresholds, modelHash, backend, engine, capture, livenessPassed, officerDecision, portraitSource };
}

export class FaceCheck {
  #portrait: { jpeg: Uint8Array; prepared: PreparedPortrait; source: PortraitSourceName } | null = null;
  #liveness: LivenessState = startLiveness();
  #best: KeptFrame[] = [];
  #lastAnalysis: FrameAnalysis | null = null;
  #outcome: FaceOutcome | null = null;

  get hasPortrait(): boolean {
    return this.#portrait !== null;
  }

  get liveness(): LivenessState {
    return this.#liveness;
  }

  get outcome(): FaceOutcome | null {
    return this.#outcome;
  }

  get documentPortrait(): Uint8Array | null {
    return this.#portrait?.jpeg ?? null;
  }

  /** Describes the document portrait; refuses an image without exactly one clear face. */
  async setPortrait(client: FaceWorkerClient, jpeg: Uint8Array, source: PortraitSourceName): Promise<void> {
    const prepared = await client.preparePortrait(jpeg);
    if (!prepared.descriptor || prepared.state === 'no-face') {
      throw source === 'chip'
        ? new GatehouseError('FACE_CHIP_PORTRAIT_NO_FACE', 'No face was found on the portrait read from the chip. Take a photo of the photo page instead.')
        : new GatehouseError('FACE_PORTRAIT_NO_FACE', 'No face was found on the document photo. Hold the photo page closer to the camera, flat and without glare.');
    }
    this.#portrait = { jpeg, prepared, source };
    this.restartLive();
  }

  /** Guidance for one live frame; null when a newer frame replaced it. */
  async frame(client: FaceWorkerClient, jpeg: Uint8Array, at: number): Promise<FrameAnalysis | null> {
    const result = await client.analyzeFrame(jpeg);
    if (result.status === 'dropped') return null;
    const { analysis } = result;
    this.#lastAnalysis = analysis;
    this.#liveness = advanceLiveness(this.#liveness, livenessFrameOf(analysis, at));
    if (analysis.state === 'one-face' && analysis.quality) {
      this.#best = keepBestFrames(this.#best, { jpeg, score: analysis.quality.score, crop: analysis.crop }, (f) => f.score);
    }
    return analysis;
  }

  /** Quality holds on the latest frame and the challenge is passed: capture may happen. */
  get readyToCapture(): boolean {
    return this.#liveness.step === 'passed' && this.#lastAnalysis?.quality?.ok === true && this.#best.length > 0;
  }

  /** Verifies the best live frames against the portrait; `officer` took it by hand (none: automatic). */
  async capture(client: FaceWorkerClient, officer: OperatorRefView | null): Promise<FaceOutcome> {
    const by = officer ? 'officer' : 'automatic';
    const portrait = this.#portrait;
    if (!portrait) throw new GatehouseError('FACE_NO_PORTRAIT', 'Capture the document photo first.');
    if (this.#best.length === 0) throw new GatehouseError('FACE_NO_FRAMES', 'No usable face was seen yet; look into the camera.');
    if (by === 'automatic' && !this.readyToCapture) {
      throw new GatehouseError('FACE_NOT_READY', 'The picture is not ready yet: follow the instructions on the screen.');
    }
    const verification = await client.verify(this.#best.map((f) => f.crop ?? f.jpeg), portrait.prepared);
    this.#outcome = {
      verification,
      livePortrait: this.#best[0]!.jpeg,
      documentPortrait: portrait.jpeg,
      portraitSource: portrait.source,
      capture: by,
      livenessPassed: this.#liveness.step === 'passed',
      officerDecision: null,
      capturedBy: officer,
      decidedBy: null,
    };
    return this.#outcome;
  }

  /** The call of `officer` on a 'review' result. */
  decide(samePerson: boolean, officer: OperatorRefView): FaceOutcome {
    const outcome = this.#outcome;
    if (!outcome || outcome.verification.decision !== 'review') {
      throw new GatehouseError('FACE_NOTHING_TO_DECIDE', 'Only a result in the review band needs an officer decision.');
    }
    this.#outcome = { ...outcome, officerDecision: samePerson ? 'same-person' : 'not-same-person', decidedBy: officer };
    return this.#outcome;
  }

  /** Accepted when the faces match, or the officer confirmed a review result. */
  get accepted(): boolean {
    const outcome = this.#outcome;
    return outcome !== null && (outcome.verification.decision === 'match' || outcome.officerDecision === 'same-person');
  }

  /** Starts the live part again (new challenge, no kept frames, no result). */
  restartLive(): void {
    this.#liveness = startLiveness();
    this.#best = [];
    this.#lastAnalysis = null;
    this.#outcome = null;
  }
}
