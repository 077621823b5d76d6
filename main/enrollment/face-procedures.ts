// RPC handlers of the face step: each enrollment on the face step gets a FaceCheck; the
// kiosk's one face worker does the analysis. Only the accepted outcome (decision,
// distance, thresholds, model hash, backend, the two portraits) joins the enrollment, with
// the officer at the screen and, for a face taken without a passed liveness challenge, the
// officer's exception (reason, note, photo).

import type { z } from 'zod';
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { FrameAnalysis } from '../face/face-analyzer.js';
import type { FaceService } from '../face/face-service.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { FaceGuidance, FaceResult } from '../rpc/procedures/face.js';
import type { Enrollment } from './enrollment.js';
import { imageDataUrl } from './enrollment-media.js';
import { actorAt, officerAt, type EnrollmentWorkflow } from './enrollment-workflow.js';
import { recordEvidence } from './exception-evidence.js';
import { FaceCheck, faceOutcomeFacts, type FaceOutcome } from './face-check.js';

type FaceMethods = 'face.chipPortrait' | 'face.portrait' | 'face.frame' | 'face.capture' | 'face.decide' | 'face.retry' | 'face.accept';

const dataUrl = (jpeg: Uint8Array) => imageDataUrl('jpeg', jpeg)!;
const jpegOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

function resultView(check: FaceCheck, outcome: FaceOutcome): z.input<typeof FaceResult> {
  return {
    ...faceOutcomeFacts(outcome),
    accepted: check.accepted,
    livePortrait: dataUrl(outcome.livePortrait),
    documentPortrait: dataUrl(outcome.documentPortrait),
  };
}

function guidanceView(check: FaceCheck, analysis: FrameAnalysis | null, at: number): z.input<typeof FaceGuidance> {
  const { liveness } = check;
  const secondsLeft = liveness.deadlineAt === null ? null : Math.max(0, Math.ceil((liveness.deadlineAt - at) / 1000));
  return {
    status: analysis ? 'analyzed' : 'dropped',
    state: analysis?.state ?? null,
    width: analysis?.width ?? 0,
    height: analysis?.height ?? 0,
    boxes: analysis?.faces.map((face) => face.box) ?? [],
    instructions: analysis ? [...analysis.guidance] : [],
    liveness: { step: liveness.step, prompt: liveness.prompt, secondsLeft },
    readyToCapture: check.readyToCapture,
  };
}

/** `cameraSeen` is told whenever a screen delivers camera pictures (the camera lives in the screen). */
export function faceHandlers(workflow: EnrollmentWorkflow, face: FaceService, now: () => Date, cameraSeen: () => void)
  : Pick<Handlers<Procedures, ScreenSession>, FaceMethods> {
  const checks = new WeakMap<Enrollment, FaceCheck>();
  /** Face checks whose chip portrait showed no face: the photo page may be photographed instead. */
  const unusableChipPortraits = new WeakSet<FaceCheck>();
  const checkOf = (screen: ScreenSession): [Enrollment, FaceCheck] => {
    const session = workflow.of(screen);
    if (!session || session.state !== 'face') {
      throw new GatehouseError('FACE_NOT_ON_STEP', 'The face step is not showing on this screen.');
    }
    let check = checks.get(session);
    if (!check) checks.set(session, check = new FaceCheck());
    return [session, check];
  };
  return {
    'face.chipPortrait': async (_input, ctx) => {
      const [session, check] = checkOf(ctx.caller);
      const jpeg = session.document?.chip?.evidence?.portraitJpeg;
      if (!jpeg) throw new GatehouseError('FACE_NO_CHIP_PORTRAIT', "This document's chip gave no portrait; take a photo of the photo page instead.");
      try {
        await check.setPortrait(await face.client(), jpeg, 'chip');
      } catch (error) {
        if (error instanceof GatehouseError && error.code === 'FACE_CHIP_PORTRAIT_NO_FACE') unusableChipPortraits.add(check);
        throw error;
      }
      return { documentPortrait: dataUrl(jpeg) };
    },
    'face.portrait': async ({ image }, ctx) => {
      const [session, check] = checkOf(ctx.caller);
      if (session.document?.chip?.evidence?.portraitJpeg && !unusableChipPortraits.has(check)) {
        // The chip's portrait is the signed one; a camera shot of the page replaces it only when no face was found on it.
        throw new GatehouseError('FACE_USE_CHIP_PORTRAIT', "This document's portrait was read from its chip; the photo page is not photographed.");
      }
      cameraSeen();
      const jpeg = jpegOf(image);
      await check.setPortrait(await face.client(), jpeg, 'camera-photo-page');
      return { documentPortrait: dataUrl(jpeg) };
    },
    'face.frame': async ({ image, at }, ctx) => {
      const [, check] = checkOf(ctx.caller);
      if (!check.hasPortrait) throw new GatehouseError('FACE_NO_PORTRAIT', 'Capture the document photo first.');
      cameraSeen();
      const analysis = await check.frame(await face.client(), jpegOf(image), at);
      return guidanceView(check, analysis, at);
    },
    'face.capture': async ({ manual }, ctx) => {
      const [session, check] = checkOf(ctx.caller);
      // An officer's capture skips the challenge: who took it is kept, and audited (the authorise hook made sure one is here).
      const officer = manual ? officerAt(ctx.caller)! : null;
      const outcome = await check.capture(await face.client(), officer);
      if (officer) {
        ctx.commit(() => null, () => ({ enrollmentId: session.id, operatorId: officer.id, decision: outcome.verification.decision }));
      }
      return resultView(check, outcome);
    },
    'face.decide': ({ samePerson }, ctx) => {
      const [session, check] = checkOf(ctx.caller);
      const officer = officerAt(ctx.caller)!; // the authorise hook made sure one is here
      const outcome = ctx.commit(() => check.decide(samePerson, officer), () => ({ enrollmentId: session.id, operatorId: officer.id, samePerson }));
      return resultView(check, outcome);
    },
    'face.retry': (_input, ctx) => {
      checkOf(ctx.caller)[1].restartLive();
      return {};
    },
    'face.accept': ({ livenessException }, ctx) => {
      const screen = ctx.caller;
      const [session, check] = checkOf(screen);
      const outcome = check.outcome;
      if (!outcome || !check.accepted) {
        throw new GatehouseError('FACE_NOT_ACCEPTED', 'The face check has not passed: capture again, or let the officer decide.');
      }
      if (!outcome.livenessPassed && !livenessException) {
        throw new GatehouseError('FACE_LIVENESS_EXCEPTION_REQUIRED',
          'The picture was taken without the liveness challenge: record why (reason, note and photo) before going on.');
      }
      if (outcome.livenessPassed && livenessException) {
        throw new GatehouseError('FACE_LIVENESS_EXCEPTION_UNEXPECTED', 'The liveness challenge was passed; there is no exception to record.');
      }
      const officer = officerAt(screen);
      const exception = livenessException ? recordEvidence(livenessException, officer, now()) : null;
      workflow.apply(session, 'face-accepted', {
        actor: actorAt(screen),
        commit: ctx.commit,
        change: () => session.setFace({ outcome, livenessException: exception, by: officer }),
        details: () => ({
          decision: outcome.verification.decision,
          capture: outcome.capture,
          livenessPassed: outcome.livenessPassed,
          livenessException: exception?.reason ?? null,
        }),
      });
      checks.delete(session);
      return { step: session.step };
    },
  };
}
