// The review step: what will be sealed, the consent the person ticks, and the officer's
// approval that seals the record. Once the kiosk has committed it, the screen says so with the
// record's short id and the queue depth (kept current while it shows), and the enrollment is over.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import { ApprovalForm, type Sealed } from '../components/ApprovalForm';
import { ConsentPanel } from '../components/ConsentPanel';
import { EnrollmentSummary } from '../components/EnrollmentSummary';
import { ErrorText } from '../components/ErrorText';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type EnrollmentView = z.infer<typeof Enrollment>;

export function ReviewStep({ enrollment, onChange, onSealed }: {
  enrollment: EnrollmentView;
  onChange(view: EnrollmentView): void;
  onSealed(sealed: Sealed): void;
}) {
  const client = useKiosk();
  const [error, setError] = useState<unknown>(null);
  const editDetails = () => client.call('enrollment.editDetails', {}).then(onChange, setError);
  return (
    <section className="step review-step" data-testid="review-step">
      <EnrollmentSummary enrollment={enrollment} onEditDetails={() => void editDetails()} />
      <ErrorText error={error} />
      <ConsentPanel consent={enrollment.consent} onChange={onChange} />
      <ApprovalForm flow={enrollment.flow} consented={enrollment.consent !== null} onSealed={onSealed} />
    </section>
  );
}

/** After the commit: the record's first 8 characters and how many records wait to be sent. */
export function SealedNotice({ sealed, onDone }: { sealed: Sealed; onDone(): void }) {
  const { t } = useTranslation();
  const queueDepth = useSystemStatus()?.queueDepth ?? sealed.queueDepth;
  return (
    <section className="step panel sealed-notice" data-testid="sealed-notice" role="status">
      <h2>{t('review.saved.heading')}</h2>
      <p className="lead" data-testid="sealed-record">{t('review.saved.record', { record: sealed.recordId.slice(0, 8) })}</p>
      <p data-testid="sealed-queue" data-count={queueDepth}>{t('review.saved.queue', { count: queueDepth })}</p>
      <div className="actions">
        <button type="button" className="primary" data-testid="sealed-done" onClick={onDone}>{t('review.saved.done')}</button>
      </div>
    </section>
  );
}
