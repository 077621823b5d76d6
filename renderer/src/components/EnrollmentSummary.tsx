// What the review shows before sealing: the document type with its key fields, the face
// decision (or why there is no face), each finger's quality or exception, and the details,
// which the person may still change.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import { DETAILS_FIELDS } from '../steps/details-fields';
import { outcomeText } from '../steps/FingerprintStep';

type EnrollmentView = z.infer<typeof Enrollment>;

/** The document fields worth a second look, MRZ documents and CN ID cards alike, in this order. */
const KEY_FIELDS = ['surname', 'givenNames', 'name', 'documentNumber', 'idNumber', 'nationality', 'birthDate', 'expiryDate', 'validTo'];

export function EnrollmentSummary({ enrollment, onEditDetails }: { enrollment: EnrollmentView; onEditDetails(): void }) {
  const { t } = useTranslation();
  const { document, face, faceException, fingerprints, details } = enrollment;
  const keyFields = KEY_FIELDS.flatMap((name) => document?.fields.filter((field) => field.name === name) ?? []);
  const detailRows = details
    ? DETAILS_FIELDS[details.flow].flatMap((field) => {
      const value = (details as Record<string, string | null>)[field.name];
      if (value === null || value === undefined) return [];
      const { input } = field;
      return [[field.name, typeof input === 'object' ? t(`details.${input.key}.${value}`) : value] as const];
    })
    : [];

  return (
    <div className="summary" data-testid="enrollment-summary">
      <section className="panel summary-part" data-testid="summary-document">
        <h3>{t('review.document')}</h3>
        {document && <p className="summary-lead">{t(`document.types.${document.documentType}`, { defaultValue: document.documentType })}</p>}
        <dl className="facts">
          {keyFields.map((field) => (
            <div key={field.name} className="fact">
              <dt>{t(`document.fields.${field.name}`)}</dt>
              <dd>{field.value || '—'}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel summary-part" data-testid="summary-face" data-decision={face?.decision ?? 'exception'}>
        <h3>{t('review.face')}</h3>
        {face && (
          <>
            <p className="summary-lead">{t(face.decision === 'match' ? 'face.decision.match' : 'review.faceConfirmed')}</p>
            <p className="muted">
              {face.distance !== null && `${t('review.distance', { distance: face.distance.toFixed(2) })} · `}
              {t(face.capture === 'officer' ? 'face.capturedByOfficer' : 'face.capturedAutomatically')}
              {!face.livenessPassed && ` · ${t('face.livenessNotPassed')}`}
            </p>
          </>
        )}
        {faceException && <p className="summary-lead">{t('review.notCaptured', { reason: t(`faceException.reasons.${faceException.reason}`) })}</p>}
      </section>

      {fingerprints && (
        <section className="panel summary-part" data-testid="summary-fingerprints">
          <h3>{t('review.fingerprints')}</h3>
          <dl className="facts">
            {fingerprints.fingers.map(({ position, outcome }) => (
              <div key={position} className="fact" data-testid={`summary-finger-${position}`} data-outcome={outcome.kind}>
                <dt>{t(`fingerprint.fingers.${position}`)}</dt>
                <dd>
                  {outcomeText(t, outcome)}
                  {outcome.kind === 'captured' && !outcome.qualityAccepted && ` (${t('review.belowThreshold')})`}
                  {outcome.kind === 'exception' && outcome.note && ` — ${outcome.note}`}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      )}

      <section className="panel summary-part summary-details" data-testid="summary-details">
        <div className="panel-top">
          <h3>{t('review.details')}</h3>
          <button type="button" data-testid="edit-details" onClick={onEditDetails}>{t('review.editDetails')}</button>
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
