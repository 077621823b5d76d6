// The face step: first the document's portrait (read from the document's chip when it gave
// one; otherwise the photo page held up to the camera), then the live picture with the face
// box, plain guidance and the liveness prompts; capture is automatic once quality and
// liveness hold, or taken by the officer.
// The result shows both faces side by side with the decision band; a face the officer took
// without a passed challenge goes on only with the officer's liveness exception.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { LivenessExceptionReason } from '../../../main/rpc/contract';
import type { FaceGuidance, FaceResult } from '../../../main/rpc/procedures/face';
import { DeviceProblemNotice } from '../components/DeviceProblemNotice';
import { ErrorText } from '../components/ErrorText';
import { EvidenceForm } from '../components/EvidenceForm';
import { FaceBoxes } from '../components/FaceBoxes';
import { useAction } from '../hooks/useAction';
import { useCamera } from '../hooks/useCamera';
import { useKiosk } from '../kiosk-context';
import { RpcError } from '../rpc/client';

type Guidance = z.infer<typeof FaceGuidance>;
type Result = z.infer<typeof FaceResult>;
/** chip-portrait: taking the chip's portrait; portrait: the photo page held up to the camera. */
type Phase = 'chip-portrait' | 'portrait' | 'live' | 'result';
type LivenessReason = z.infer<typeof LivenessExceptionReason>;
const LIVENESS_REASONS: readonly LivenessReason[] = ['failed-repeatedly', 'cannot-follow', 'medical', 'other'];

export function FaceStep({ officerPresent, portraitFromChip }: {
  officerPresent: boolean;
  /** The accepted document's chip gave a portrait: it is the reference, and the photo page is not photographed. */
  portraitFromChip: boolean;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const camera = useCamera();
  const [phase, setPhase] = useState<Phase>(portraitFromChip ? 'chip-portrait' : 'portrait');
  const [documentPortrait, setDocumentPortrait] = useState<{ url: string; source: Result['portraitSource'] } | null>(null);
  const [guidance, setGuidance] = useState<Guidance | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const capturing = useRef(false);

  const capture = async (manual: boolean) => {
    if (capturing.current) return;
    capturing.current = true;
    try {
      setResult(await client.call('face.capture', { manual }));
      setPhase('result');
      setError(null);
    } catch (failure) {
      setError(failure);
    } finally {
      capturing.current = false;
    }
  };

  // Live guidance: one frame at a time, as fast as the face worker answers.
  useEffect(() => {
    if (phase !== 'live' || !camera.ready) return undefined;
    let live = true;
    void (async () => {
      while (live) {
        const image = await camera.grab();
        if (!image) { await new Promise((r) => setTimeout(r, 100)); continue; }
        try {
          const next = await client.call('face.frame', { image, at: performance.now() });
          if (!live) return;
          if (next.status === 'analyzed') setGuidance(next);
          if (next.readyToCapture) { await capture(false); return; }
        } catch (failure) {
          if (live) setError(failure);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
    return () => { live = false; };
  }, [phase, camera.ready]);

  const portrait = useAction();
  const takeChipPortrait = useCallback(() => portrait.run(async () => {
    try {
      setDocumentPortrait({ url: (await client.call('face.chipPortrait', {})).documentPortrait, source: 'chip' });
      setPhase('live');
    } catch (failure) {
      // No portrait from the chip after all: the photo page is the fallback, as for a document without a chip.
      if (failure instanceof RpcError && (failure.code === 'FACE_NO_CHIP_PORTRAIT' || failure.code === 'FACE_CHIP_PORTRAIT_NO_FACE')) setPhase('portrait');
      throw failure;
    }
  }), [client, portrait.run]);
  useEffect(() => {
    if (portraitFromChip) void takeChipPortrait();
  }, [portraitFromChip, takeChipPortrait]);

  const takePortrait = () => portrait.run(async () => {
    const image = await camera.grab();
    if (!image) return;
    setDocumentPortrait({ url: (await client.call('face.portrait', { image })).documentPortrait, source: 'camera-photo-page' });
    setPhase('live');
    setError(null);
  });

  const retry = async () => {
    await client.call('face.retry', {});
    setResult(null);
    setGuidance(null);
    setPhase('live');
  };

  return (
    <section className="step face-step" data-testid="face-step" data-phase={phase}>
      {phase !== 'result' && (
        <>
          <p className="lead">{t(phase === 'portrait' ? 'face.holdDocument' : phase === 'chip-portrait' ? 'face.takingChipPortrait' : 'face.lookAtCamera')}</p>
          <div className="camera">
            <video ref={camera.videoRef} muted playsInline data-testid="camera-preview" />
            {phase === 'live' && guidance && <FaceBoxes width={guidance.width} height={guidance.height} boxes={guidance.boxes} state={guidance.state ?? ''} />}
          </div>
          <DeviceProblemNotice kind="camera" problem={camera.problem} />
          {phase === 'live' && guidance && <GuidancePanel guidance={guidance} />}
        </>
      )}
      {phase === 'result' && result && <ResultPanel result={result} />}
      <ErrorText error={portrait.error ?? error} />
      <div className="actions">
        {phase === 'portrait' && (
          <button type="button" className="primary" disabled={!camera.ready || portrait.busy} onClick={() => void takePortrait()}
            data-testid="capture-document-photo">
            {t(portrait.busy ? 'face.findingDocumentFace' : 'face.captureDocumentPhoto')}
          </button>
        )}
        {phase === 'chip-portrait' && portrait.error !== null && !portrait.busy && (
          <button type="button" className="primary" data-testid="chip-portrait-again" onClick={() => void takeChipPortrait()}>
            {t('face.chipPortraitAgain')}
          </button>
        )}
        {phase === 'live' && documentPortrait && (
          <figure className="thumb-figure" data-testid="document-portrait" data-source={documentPortrait.source}>
            <img className="thumb" src={documentPortrait.url} alt="" />
            <figcaption>{t(`face.portraitSource.${documentPortrait.source}`)}</figcaption>
          </figure>
        )}
        {phase === 'live' && officerPresent && (
          <button type="button" onClick={() => capture(true)} data-testid="capture-manual">{t('face.captureNow')}</button>
        )}
        {phase === 'live' && guidance?.liveness.step === 'failed' && (
          <button type="button" onClick={retry} data-testid="face-retry">{t('face.tryAgain')}</button>
        )}
        {phase === 'result' && result && <ResultActions result={result} officerPresent={officerPresent}
          onDecided={setResult} onRetry={retry} onError={setError} />}
      </div>
      {phase === 'result' && result?.accepted && !result.livenessPassed && (officerPresent ? (
        <EvidenceForm subject="person" testId="liveness-exception" heading={t('livenessException.heading')} reasons={LIVENESS_REASONS}
          label={(reason) => t(`livenessException.reasons.${reason}`)} recordLabel={t('livenessException.record')}
          onRecord={(livenessException) => client.call('face.accept', { livenessException })} />
      ) : <p className="warning" data-testid="liveness-needs-officer">{t('livenessException.needsOfficer')}</p>)}
    </section>
  );
}

function GuidancePanel({ guidance }: { guidance: Guidance }) {
  const { t } = useTranslation();
  const say = (instruction: { code: string; text: string }) => t(`face.instructions.${instruction.code}`, { defaultValue: instruction.text });
  const { liveness } = guidance;
  const headline = guidance.state === 'no-face' ? t('face.noFace')
    : guidance.state === 'several-faces' ? t('face.severalFaces')
      : guidance.instructions[0] ? say(guidance.instructions[0]) : t('face.good');
  return (
    <div className="guidance" data-testid="face-guidance" data-state={guidance.state ?? ''}>
      <p className="guidance-main" data-testid="guidance-main">{headline}</p>
      {liveness.prompt && (
        <p className="liveness" data-testid="liveness-prompt" data-step={liveness.step}>
          {say(liveness.prompt)}{liveness.secondsLeft ? ` (${liveness.secondsLeft} s)` : ''}
        </p>
      )}
    </div>
  );
}

function ResultPanel({ result }: { result: Result }) {
  const { t, i18n } = useTranslation();
  const figure = (value: number) => value.toLocaleString(i18n.language, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  return (
    <div className="face-result" data-testid="face-result" data-decision={result.decision}>
      <div className="portraits">
        <figure data-testid="result-document-portrait" data-source={result.portraitSource}>
          <img src={result.documentPortrait} alt="" /><figcaption>{t(`face.portraitSource.${result.portraitSource}`)}</figcaption>
        </figure>
        <figure><img src={result.livePortrait} alt="" /><figcaption>{t('face.livePhoto')}</figcaption></figure>
      </div>
      <p className={`verdict verdict-face-${result.decision}`} data-testid="face-decision">{t(`face.decision.${result.decision}`)}</p>
      <p className="face-figures">
        {t('face.figures', {
          distance: result.distance === null ? '—' : figure(result.distance),
          match: figure(result.thresholds.match), review: figure(result.thresholds.review),
        })}
        {' · '}{t(result.capture === 'officer' ? 'face.capturedByOfficer' : 'face.capturedAutomatically')}
        {!result.livenessPassed && ` · ${t('face.livenessNotPassed')}`}
      </p>
    </div>
  );
}

function ResultActions({ result, officerPresent, onDecided, onRetry, onError }: {
  result: Result; officerPresent: boolean; onDecided(result: Result): void; onRetry(): void; onError(error: unknown): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const decide = (samePerson: boolean) => client.call('face.decide', { samePerson }).then(onDecided, onError);
  return (
    <>
      <button type="button" onClick={onRetry} data-testid="face-retry">{t('face.tryAgain')}</button>
      {result.decision === 'review' && result.officerDecision === null && officerPresent && (
        <>
          <button type="button" onClick={() => decide(false)} data-testid="face-not-same">{t('face.notSamePerson')}</button>
          <button type="button" onClick={() => decide(true)} data-testid="face-same">{t('face.samePerson')}</button>
        </>
      )}
      {result.accepted && result.livenessPassed && (
        <button type="button" className="primary" data-testid="face-accept"
          onClick={() => client.call('face.accept', {}).catch(onError)}>{t('face.continue')}</button>
      )}
    </>
  );
}
