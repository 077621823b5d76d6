// The fingerprint step: which finger to place (hand diagram), the module's live state
// (place / lift / place again, a progress bar while the image arrives), the captured image
// with its quality estimate and any duplicate flag, and capture, capture-again and
// exceptions (missing, injured, bandaged, other, with a note and a photo of the hand) for every
// finger the enrollment asks for. A duplicate warning may be kept; it then needs a second approval.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { z } from 'zod';
import type { Enrollment, FingerExceptionReason, FingerOutcome } from '../../../main/rpc/contract';
import { DeviceProblemNotice } from '../components/DeviceProblemNotice';
import { problemOf } from '../components/device-problem';
import { ErrorText } from '../components/ErrorText';
import { EvidenceForm } from '../components/EvidenceForm';
import { FingerprintLiveState } from '../components/FingerprintLiveState';
import { FingerQualityComponents } from '../components/FingerQualityComponents';
import { FingerSimulatorPanel } from '../components/FingerSimulatorPanel';
import { HandDiagram, type FingerMark } from '../components/HandDiagram';
import { useFingerprintProgress } from '../hooks/useFingerprintProgress';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type EnrollmentView = z.infer<typeof Enrollment>;
type Outcome = z.infer<typeof FingerOutcome>;
type Captured = Extract<Outcome, { kind: 'captured' }>;
type Reason = z.infer<typeof FingerExceptionReason>;
const REASONS: readonly Reason[] = ['missing', 'injured', 'bandaged', 'other'];

export function FingerprintStep({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const status = useSystemStatus();
  const [progress, clearProgress] = useFingerprintProgress();
  const [error, setError] = useState<unknown>(null);
  const [exceptionOpen, setExceptionOpen] = useState(false);
  const { fingers, capturing } = enrollment.fingerprints!;
  const firstPending = fingers.find((finger) => finger.outcome.kind === 'pending');
  const [selected, setSelected] = useState(firstPending?.position ?? fingers[0]!.position);
  const finger = fingers.find((f) => f.position === selected) ?? fingers[0]!;
  const target = capturing ?? finger.position;
  const name = (position: number) => t(`fingerprint.fingers.${position}`);
  const scanner = status?.devices.find((device) => device.kind === 'fingerprint');
  const scannerProblem = problemOf(scanner);
  const nextPending = fingers.find((f) => f.outcome.kind === 'pending' && f.position !== finger.position);
  const complete = fingers.every((f) => f.outcome.kind !== 'pending');

  const act = (work: Promise<EnrollmentView>) => work.then((view) => { setError(null); onChange(view); }, setError);
  const capture = (position: number) => {
    clearProgress();
    setExceptionOpen(false);
    return act(client.call('fingerprint.capture', { position }));
  };
  const captureAgain = (position: number) => act(client.call('fingerprint.retry', { position })).then(() => capture(position));
  const marks = Object.fromEntries(fingers.map((f): [number, FingerMark] => [f.position, f.position === target ? 'active' : f.outcome.kind]));

  return (
    <section className="step fingerprint-step" data-testid="fingerprint-step">
      <div className="fingerprint-layout">
        <div className="fingerprint-fingers">
          <HandDiagram marks={marks} />
          <ul className="finger-list">
            {fingers.map((f) => (
              <li key={f.position}>
                <button type="button" aria-pressed={f.position === finger.position} disabled={capturing !== null}
                  data-testid={`select-finger-${f.position}`} data-outcome={f.outcome.kind} onClick={() => setSelected(f.position)}>
                  <span className="finger-name">{name(f.position)}</span>
                  <span className={`finger-status finger-status-${f.outcome.kind}`}>{outcomeText(t, f.outcome)}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className={`reader-state device-${scanner?.state ?? 'disconnected'}`} data-testid="scanner-state">
            {t('fingerprint.scanner')}: {scannerProblem ? t(`status.problems.words.${scannerProblem}`) : scanner ? t(`status.states.${scanner.state}`) : '…'}
          </p>
        </div>

        <div className="fingerprint-current">
          <h2 data-testid="current-finger">{name(target)}</h2>
          {capturing !== null ? <FingerprintLiveState progress={progress} finger={name(capturing)} />
            : finger.outcome.kind === 'captured' ? <CapturedFinger position={finger.position} outcome={finger.outcome} />
              : finger.outcome.kind === 'exception'
                ? <p className="lead" data-testid="finger-exception">{outcomeText(t, finger.outcome)} — {finger.outcome.note}</p>
                : <p className="lead" data-testid="finger-ready">{t('fingerprint.instruction.ready', { finger: name(finger.position) })}</p>}
          {exceptionOpen && capturing === null && (
            <EvidenceForm subject="hand" testId="finger-exception" heading={t('fingerprint.exception.heading', { finger: name(finger.position) })} reasons={REASONS}
              label={(reason) => t(`fingerprint.exception.reasons.${reason}`)} recordLabel={t('fingerprint.exception.record')}
              onRecord={({ reason, note, photo }) => client.call('fingerprint.recordException', { position: finger.position, reason, note, photo: photo! })
                .then((view) => { setExceptionOpen(false); setError(null); onChange(view); })}
              onCancel={() => setExceptionOpen(false)} />
          )}
          {capturing === null && <DeviceProblemNotice kind="fingerprint" problem={scannerProblem} />}
          <ErrorText error={error} />
          <div className="actions">
            {capturing === null && !exceptionOpen && (
              <>
                {finger.outcome.kind !== 'exception' && (
                  <button type="button" data-testid="finger-exception-open" onClick={() => setExceptionOpen(true)}>
                    {t('fingerprint.exception.open')}
                  </button>
                )}
                {finger.outcome.kind === 'pending' ? (
                  <button type="button" className={complete ? undefined : 'primary'} data-testid="fingerprint-capture"
                    onClick={() => void capture(finger.position)}>{t('fingerprint.capture')}</button>
                ) : (
                  <button type="button" data-testid="fingerprint-capture-again"
                    onClick={() => void captureAgain(finger.position)}>{t('fingerprint.captureAgain')}</button>
                )}
                {nextPending && finger.outcome.kind !== 'pending' && (
                  <button type="button" className="primary" data-testid="next-finger"
                    onClick={() => { clearProgress(); setSelected(nextPending.position); }}>{t('fingerprint.nextFinger')}</button>
                )}
                {complete && (
                  <button type="button" className="primary" data-testid="fingerprints-finish"
                    onClick={() => void act(client.call('fingerprint.finish', {}))}>{t('fingerprint.finish')}</button>
                )}
              </>
            )}
          </div>
        </div>
      </div>
      {scanner?.simulated && (
        <FingerSimulatorPanel person="applicant" finger={target} other={fingers.find((f) => f.position !== target)?.position} />
      )}
    </section>
  );
}

/** One finger's outcome in a few words: pending, captured with its quality, or not captured and why. */
export function outcomeText(t: TFunction, outcome: Outcome): string {
  if (outcome.kind === 'pending') return t('fingerprint.status.pending');
  if (outcome.kind === 'exception') return t('fingerprint.status.exception', { reason: t(`fingerprint.exception.reasons.${outcome.reason}`) });
  return t(outcome.duplicateOf ? 'fingerprint.status.duplicate' : 'fingerprint.status.captured', { score: outcome.quality.score });
}

/** The captured image (fetched from the kiosk, which keeps it in memory) with its quality estimate and flags. */
function CapturedFinger({ position, outcome }: { position: number; outcome: Captured }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [image, setImage] = useState<string | null>(null);
  const { quality, attempts, qualityAccepted, duplicateOf } = outcome;
  useEffect(() => {
    let live = true;
    setImage(null);
    client.call('fingerprint.image', { position })
      .then(({ png }) => { if (live) setImage(`data:image/png;base64,${png}`); }, () => undefined);
    return () => { live = false; };
  }, [client, position, attempts, quality.score]);

  return (
    <div className="captured-finger" data-testid="captured-finger" data-quality={quality.score}>
      {image
        ? <img className="finger-image" src={image} width={256} height={288} data-testid="finger-image"
          alt={t('fingerprint.imageAlt', { finger: t(`fingerprint.fingers.${position}`) })} />
        : <div className="finger-image" />}
      <div className="finger-quality">
        <p className={`quality-score ${qualityAccepted ? 'quality-good' : 'quality-low'}`} data-testid="quality-score">
          {t('fingerprint.quality.score', { score: quality.score })}
        </p>
        <FingerQualityComponents quality={quality} />
        <p>{t('fingerprint.quality.attempts', { count: attempts })}</p>
        {!qualityAccepted && <p className="warning" data-testid="quality-low">{t('fingerprint.quality.belowThreshold')}</p>}
        {duplicateOf && (
          <p className="error" role="alert" data-testid="duplicate-warning" data-kind={duplicateOf.kind}>
            {duplicateOf.kind === 'session'
              ? t('fingerprint.duplicate.session', { finger: t(`fingerprint.fingers.${duplicateOf.position}`) })
              : t('fingerprint.duplicate.operator')}
          </p>
        )}
      </div>
    </div>
  );
}
