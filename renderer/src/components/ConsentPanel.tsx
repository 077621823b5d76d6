// The consent text in the screen's language with its version, a plain statement of what was
// captured and what was not (and why), and the box the person ticks. The kiosk keeps the
// version, the language it was read in and the time it was ticked.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import type { ConsentText } from '../../../main/rpc/procedures/enrollment';
import type { LanguageCode } from '../i18n/i18n';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';

type EnrollmentView = z.infer<typeof Enrollment>;

export function ConsentPanel({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const { consent } = enrollment;
  const client = useKiosk();
  const { t, i18n } = useTranslation();
  const language = i18n.language as LanguageCode;
  const [text, setText] = useState<z.infer<typeof ConsentText> | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    client.call('enrollment.consentText', { language }).then((loaded) => { if (live) setText(loaded); }, setError);
    return () => { live = false; };
  }, [client, language]);

  const tick = (accepted: boolean) => {
    if (!text) return;
    client.call('enrollment.acceptConsent', { accepted, version: text.version, language: text.language })
      .then((view) => { setError(null); onChange(view); }, setError);
  };

  return (
    <section className="panel consent" data-testid="consent-panel" lang={text?.language}>
      <div className="panel-top">
        <h3>{t('review.consent.heading')}</h3>
        {text && <span className="muted" data-testid="consent-version">{t('review.consent.version', { version: text.version })}</span>}
      </div>
      <div className="consent-text" data-testid="consent-text">
        {text?.text.split('\n\n').map((paragraph, index) => <p key={index}>{paragraph}</p>)}
      </div>
      <CaptureStatement enrollment={enrollment} />
      <label className="consent-accept">
        <input type="checkbox" data-testid="consent-accept" checked={consent !== null} disabled={!text}
          onChange={(event) => tick(event.target.checked)} />
        <span>{t('review.consent.accept')}</span>
      </label>
      <ErrorText error={error} />
    </section>
  );
}

/** What the sealed record will hold of the person, and what could not be taken and why. */
function CaptureStatement({ enrollment }: { enrollment: EnrollmentView }) {
  const { t } = useTranslation();
  const { document, face, faceException, fingerprints } = enrollment;
  const chip = document?.chip ?? null;
  const finger = (position: number) => t(`fingerprint.fingers.${position}`);
  const captured = [
    t('review.statement.document'),
    ...(chip?.status === 'done' ? [t('review.statement.chip')] : []),
    ...(face ? [t('review.statement.face')] : []),
    ...(fingerprints?.fingers.flatMap(({ position, outcome }) => (outcome.kind === 'captured' ? [t('review.statement.finger', { finger: finger(position) })] : [])) ?? []),
    t('review.statement.details'),
  ];
  const missing = [
    ...(chip?.status === 'skipped' ? [t('review.statement.noChip', { reason: t(`document.chip.skip.reasons.${chip.reason}`) })] : []),
    ...(faceException ? [t('review.statement.noFace', { reason: t(`faceException.reasons.${faceException.reason}`) })] : []),
    ...(face?.livenessException ? [t('review.statement.noLiveness', { reason: t(`livenessException.reasons.${face.livenessException.reason}`) })] : []),
    ...(fingerprints?.fingers.flatMap(({ position, outcome }) => (outcome.kind === 'exception'
      ? [t('review.statement.noFinger', { finger: finger(position), reason: t(`fingerprint.exception.reasons.${outcome.reason}`) })] : [])) ?? []),
  ];
  return (
    <div className="capture-statement" data-testid="capture-statement">
      <p className="summary-lead">{t('review.statement.captured')}</p>
      <ul data-testid="statement-captured">{captured.map((line) => <li key={line}>{line}</li>)}</ul>
      {missing.length > 0 && (
        <>
          <p className="summary-lead">{t('review.statement.notCaptured')}</p>
          <ul data-testid="statement-not-captured">{missing.map((line) => <li key={line}>{line}</li>)}</ul>
        </>
      )}
    </div>
  );
}
