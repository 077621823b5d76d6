// The document step: how to place the document, the reader's live state, and the read
// fields for the officer to check, each problem (failed check digit, expired document)
// highlighted, then the document's chip (ChipPanel), with accept (once the chip is dealt
// with), read-again and, on simulated devices, sample documents. A chip that shows the
// document altered leaves only cancelling.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DocumentRead, Enrollment } from '../../../main/rpc/contract';
import { ChipPanel } from '../components/ChipPanel';
import { chipFailed, chipSettled } from '../components/chip-facts';
import { DocumentFieldTable } from '../components/DocumentFieldTable';
import { DocumentIllustration } from '../components/DocumentIllustration';
import { DocumentSimulatorPanel } from '../components/DocumentSimulatorPanel';
import { DeviceProblemNotice } from '../components/DeviceProblemNotice';
import { problemOf } from '../components/device-problem';
import { ErrorText } from '../components/ErrorText';
import { useKeyboardWedge } from '../hooks/useKeyboardWedge';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type EnrollmentView = z.infer<typeof Enrollment>;
type Read = z.infer<typeof DocumentRead>;

export function DocumentStep({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const status = useSystemStatus();
  const [error, setError] = useState<unknown>(null);
  useKeyboardWedge(client, true);

  const reader = status?.devices.find((d) => d.kind === 'document-reader');
  const readerProblem = problemOf(reader);
  const kind = reader?.name.includes('ID card') ? 'cnid' : 'mrz';
  const chipReader = status?.devices.find((d) => d.kind === 'chip-reader');
  const read = enrollment.pendingRead;
  const chip = read?.chip ?? null;
  const failed = chipFailed(chip);
  const act = (work: Promise<EnrollmentView>) => work.then((view) => { setError(null); onChange(view); }, setError);

  return (
    <section className={chip ? 'step document-step with-chip' : 'step document-step'} data-testid="document-step">
      <div className="document-main">
        <div className="document-instructions">
          <DocumentIllustration kind={kind} />
          <div>
            <p className="lead">{t(kind === 'cnid' ? 'document.placeCard' : 'document.placePassport')}</p>
            <p className={`reader-state device-${reader?.state ?? 'disconnected'}`} data-testid="reader-state">
              {t('document.reader')}: {readerProblem ? t(`status.problems.words.${readerProblem}`) : reader ? t(`status.states.${reader.state}`) : '…'}
            </p>
          </div>
        </div>

        {enrollment.readFailure && !read && (
          <p className="error" role="alert" data-testid="read-failure" data-code={enrollment.readFailure.code}>
            {t('document.readFailed')}
          </p>
        )}
        {!read && !enrollment.readFailure && <DeviceProblemNotice kind="document-reader" problem={readerProblem} />}
        {!read && !enrollment.readFailure && !readerProblem && (
          <>
            <p className="waiting" data-testid="waiting-for-document">{t('document.waiting')}</p>
            <p className="muted">{t('document.alreadyOnReader')}</p>
          </>
        )}
        {read && <ReadResult read={read} />}
      </div>
      {/* Beside the fields on a wide screen, from the top, so what the chip needs is in view. */}
      {read && chip && <ChipPanel readId={read.readId} chip={chip} reader={chipReader} onChange={onChange} />}

      <ErrorText error={error} />
      <div className="actions">
        {read && !failed && read.valid && !read.expired && !chipSettled(chip) && (
          <p className="muted accept-hint" data-testid="chip-accept-hint">{t('document.chip.acceptBlocked')}</p>
        )}
        {read?.suggestedCorrection && !failed && (
          <button type="button" data-testid="accept-corrected" disabled={!chipSettled(chip)}
            onClick={() => act(client.call('enrollment.acceptDocument', { readId: read.readId, useCorrection: true }))}>
            {t('document.useCorrection')}
          </button>
        )}
        {(read || enrollment.readFailure) && !failed && (
          <button type="button" data-testid="read-again" onClick={() => act(client.call('enrollment.retryDocument', {}))}>
            {t('document.readAgain')}
          </button>
        )}
        {read && !failed && (
          <button type="button" className="primary" data-testid="accept-document" disabled={!read.valid || read.expired || !chipSettled(chip)}
            onClick={() => act(client.call('enrollment.acceptDocument', { readId: read.readId, useCorrection: false }))}>
            {t('document.accept')}
          </button>
        )}
      </div>
      {reader?.simulated && <DocumentSimulatorPanel kind={kind} chipSimulated={chipReader?.simulated === true} />}
    </section>
  );
}

function ReadResult({ read }: { read: Read }) {
  const { t } = useTranslation();
  const verdict = !read.valid ? 'invalid' : read.expired ? 'expired' : 'valid';
  return (
    <div className="read-result" data-testid="read-result" data-verdict={verdict}>
      <p className={`verdict verdict-${verdict}`} data-testid="read-verdict">
        {t(`document.verdict.${verdict}`, { type: t(`document.types.${read.documentType}`, { defaultValue: read.documentType }) })}
      </p>
      <DocumentFieldTable fields={read.fields} />
      {read.suggestedCorrection && (
        <div className="correction" data-testid="suggested-correction">
          <p>{t('document.correctionHint')}</p>
          <ul>
            {read.suggestedCorrection.changes.map((change, index) => (
              <li key={index}>{t(`document.fields.${change.field}`, { defaultValue: change.field })}: {change.from} → {change.to}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
