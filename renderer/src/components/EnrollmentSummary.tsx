// What will be sealed, as the review and the supervisor's queue show it: why a second approval
// is needed (a banner), who ran it, every document field and what its chip showed (verified,
// not verifiable and confirmed by whom, or not read and why), both faces side by side with
// where the document's portrait came from, the distance and band (or the face exception with
// its photo), each finger's image and quality (or its exception with photo and note), and the
// details, which the person may still change.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DocumentRead, Enrollment, EnrollmentMedia, OperatorRef } from '../../../main/rpc/contract';
import { DETAILS_FIELDS } from '../steps/details-fields';
import { outcomeText } from '../steps/FingerprintStep';
import { useDateFormat } from '../hooks/useDateFormat';
import { countryName, failedReason } from './chip-facts';

type EnrollmentView = z.infer<typeof Enrollment>;
type Media = z.infer<typeof EnrollmentMedia>;

export function EnrollmentSummary({ enrollment, media, onEditDetails }: {
  enrollment: EnrollmentView;
  /** The pictures; null while they load. */
  media: Media | null;
  /** Offered on the review step only. */
  onEditDetails?(): void;
}) {
  const { t, i18n } = useTranslation();
  const figure = (value: number) => value.toLocaleString(i18n.language, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  const { document, face, faceException, fingerprints, details } = enrollment;
  const detailRows = details
    ? DETAILS_FIELDS[details.flow].flatMap((field) => {
      const value = (details as Record<string, string | null>)[field.name];
      if (value === null || value === undefined) return [];
      const { input } = field;
      return [[field.name, typeof input === 'object' ? t(`details.${input.key}.${value}`) : value] as const];
    })
    : [];
  const portraitSource = enrollment.face?.portraitSource ?? null;
  const lowQuality = fingerprints?.fingers.filter(({ outcome }) => outcome.kind === 'captured' && !outcome.qualityAccepted) ?? [];

  return (
    <div className="summary" data-testid="enrollment-summary">
      <WarningBanner reasons={enrollment.secondApproval} lowQuality={lowQuality.map((finger) => finger.position)} />
      {enrollment.ranBy && (
        <p className="summary-ran-by muted" data-testid="summary-ran-by">{t('review.ranBy', { name: enrollment.ranBy.name })}</p>
      )}

      <section className="panel summary-part" data-testid="summary-document">
        <h3>{t('review.document')}</h3>
        {document && <p className="summary-lead">{t(`document.types.${document.documentType}`, { defaultValue: document.documentType })}</p>}
        <dl className="facts">
          {document?.fields.map((field) => (
            <div key={field.name} className="fact" data-testid={`summary-field-${field.name}`}>
              <dt>{t(`document.fields.${field.name}`, { defaultValue: field.name })}</dt>
              <dd>{field.value || '—'}</dd>
            </div>
          ))}
        </dl>
        {document?.chip && <ChipLine chip={document.chip} />}
      </section>

      <section className="panel summary-part" data-testid="summary-face" data-decision={face?.decision ?? 'exception'}
        data-portrait-source={face ? portraitSource : undefined}>
        <h3>{t('review.face')}</h3>
        {face && (
          <>
            <div className="portraits small">
              <Picture src={media?.documentPortrait} caption={t(`face.portraitSource.${portraitSource}`)} testId="summary-document-portrait" />
              <Picture src={media?.livePortrait} caption={t('face.livePhoto')} testId="summary-live-portrait" />
            </div>
            <p className="summary-lead">{t(face.decision === 'match' ? 'face.decision.match' : 'review.faceConfirmed')}</p>
            <p className="muted">
              {face.distance !== null && `${t('face.figures', {
                distance: figure(face.distance), match: figure(face.thresholds.match), review: figure(face.thresholds.review),
              })} · `}
              {t(face.capture === 'officer' ? 'face.capturedByOfficer' : 'face.capturedAutomatically')}
              {face.by && ` (${face.by.name})`}
              {!face.livenessPassed && ` · ${t('face.livenessNotPassed')}`}
            </p>
            {face.livenessException && (
              <ExceptionFacts testId="summary-liveness-exception" exception={face.livenessException} photo={media?.livenessExceptionPhoto}
                reason={t(`livenessException.reasons.${face.livenessException.reason}`)} heading={t('review.livenessException')} />
            )}
          </>
        )}
        {faceException && (
          <ExceptionFacts testId="summary-face-exception" exception={faceException} photo={media?.faceExceptionPhoto}
            reason={t(`faceException.reasons.${faceException.reason}`)} heading={t('review.faceNotCaptured')} />
        )}
      </section>

      {fingerprints && (
        <section className="panel summary-part summary-fingers" data-testid="summary-fingerprints">
          <h3>{t('review.fingerprints')}</h3>
          <ul className="summary-finger-list">
            {fingerprints.fingers.map(({ position, outcome }) => {
              const pictures = media?.fingers.find((finger) => finger.position === position);
              return (
                <li key={position} data-testid={`summary-finger-${position}`} data-outcome={outcome.kind}>
                  <p className="summary-lead">{t(`fingerprint.fingers.${position}`)}</p>
                  {outcome.kind === 'captured' && (
                    <div className="summary-finger">
                      <Picture src={pictures?.image} caption={outcomeText(t, outcome)} testId={`summary-finger-image-${position}`} finger />
                      {!outcome.qualityAccepted && <p className="warning">{t('review.belowThreshold')}</p>}
                      {outcome.duplicateOf && <p className="error">{t('review.duplicate')}</p>}
                    </div>
                  )}
                  {outcome.kind === 'exception' && (
                    <ExceptionFacts testId={`summary-finger-exception-${position}`} exception={outcome} photo={pictures?.exceptionPhoto}
                      reason={t(`fingerprint.exception.reasons.${outcome.reason}`)} heading={t('review.fingerNotCaptured')} />
                  )}
                  {outcome.kind === 'pending' && <p className="muted">{outcomeText(t, outcome)}</p>}
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section className="panel summary-part summary-details" data-testid="summary-details">
        <div className="panel-top">
          <h3>{t('review.details')}</h3>
          {onEditDetails && <button type="button" data-testid="edit-details" onClick={onEditDetails}>{t('review.editDetails')}</button>}
        </div>
        <dl className="facts">
          {detailRows.map(([name, value]) => (
            <div key={name} className="fact">
              <dt>{t(`details.fields.${name}`)}</dt>
              <dd className="multiline">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}

/** What the document's chip showed: verified (by whom), not verifiable (confirmed by whom), or not read (why, by whom). */
function ChipLine({ chip }: { chip: NonNullable<z.infer<typeof DocumentRead>['chip']> }) {
  const { t, i18n } = useTranslation();
  const who = (operator: z.infer<typeof OperatorRef> | null) => operator?.name ?? t('document.chip.atScreen');
  let line: string;
  let tone: 'ok' | 'warn' | 'bad';
  if (chip.status === 'skipped') {
    line = t('review.chip.skipped', { reason: t(`document.chip.skip.reasons.${chip.reason}`), note: chip.note, name: who(chip.by) });
    tone = 'warn';
  } else if (chip.status !== 'done') {
    line = t('review.chip.notRead');
    tone = 'warn';
  } else if (chip.verdict === 'verified') {
    const country = countryName(chip.country, i18n.language) ?? t('document.chip.someCountry');
    line = t('review.chip.verified', { authority: chip.csca ? `${chip.csca} (${country})` : country });
    tone = 'ok';
  } else if (chip.verdict === 'not-verifiable') {
    line = chip.acknowledged ? t('review.chip.notVerifiable', { name: who(chip.acknowledgedBy) }) : t('review.chip.notVerifiableOpen');
    tone = 'warn';
  } else {
    line = t('review.chip.failed', { reason: failedReason(t, chip.reason) });
    tone = 'bad';
  }
  const verdict = chip.status === 'done' ? chip.verdict : chip.status;
  return <p className={`summary-chip summary-chip-${tone}`} data-testid="summary-chip" data-verdict={verdict}>{line}</p>;
}

/** Why an officer alone may not approve, and what else deserves a second look. */
function WarningBanner({ reasons, lowQuality }: { reasons: readonly string[]; lowQuality: readonly number[] }) {
  const { t } = useTranslation();
  if (reasons.length === 0 && lowQuality.length === 0) return null;
  return (
    <div className="warning-banner" role="alert" data-testid="review-warnings" data-reasons={reasons.join(' ')}>
      {reasons.length > 0 && <p className="warning-banner-lead">{t('review.secondApprovalNeeded')}</p>}
      <ul>
        {reasons.map((reason) => <li key={reason}>{t(`review.reasons.${reason}`)}</li>)}
        {lowQuality.map((position) => (
          <li key={position}>{t('review.lowQualityFinger', { finger: t(`fingerprint.fingers.${position}`) })}</li>
        ))}
      </ul>
    </div>
  );
}

function ExceptionFacts({ testId, exception, photo, reason, heading }: {
  testId: string;
  exception: { note: string; by: z.infer<typeof OperatorRef> | null; at: string; photo: boolean };
  photo: string | null | undefined;
  reason: string;
  heading: string;
}) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  return (
    <div className="exception-facts" data-testid={testId}>
      {exception.photo && <Picture src={photo} caption={t('review.exceptionPhoto')} testId={`${testId}-photo`} />}
      <div>
        <p className="summary-lead">{heading}: {reason}</p>
        <p className="exception-note">{t('review.quoted', { note: exception.note })}</p>
        <p className="muted">{t('review.recordedBy', { name: exception.by?.name ?? t('review.nobody'), time: dateTime(exception.at) })}</p>
      </div>
    </div>
  );
}

function Picture({ src, caption, testId, finger = false }: { src: string | null | undefined; caption: string; testId: string; finger?: boolean }) {
  return (
    <figure className={finger ? 'picture picture-finger' : 'picture'}>
      {src ? <img src={src} alt={caption} data-testid={testId} /> : <div className="picture-placeholder" />}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
