// The review step: what will be sealed (with the pictures), the consent the person ticks, and
// the approval that seals the record or holds it for a supervisor. Afterwards the screen says
// which of the two happened, and the enrollment is over.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, EnrollmentMedia } from '../../../main/rpc/contract';
import { ApprovalForm, type Finished } from '../components/ApprovalForm';
import { ConsentPanel } from '../components/ConsentPanel';
import { EnrollmentSummary } from '../components/EnrollmentSummary';
import { ErrorText } from '../components/ErrorText';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type EnrollmentView = z.infer<typeof Enrollment>;

export function ReviewStep({ enrollment, onChange, onFinished }: {
  enrollment: EnrollmentView;
  onChange(view: EnrollmentView): void;
  onFinished(finished: Finished): void;
}) {
  const client = useKiosk();
  const [error, setError] = useState<unknown>(null);
  const [media, setMedia] = useState<z.infer<typeof EnrollmentMedia> | null>(null);
  useEffect(() => {
    let live = true;
    client.call('enrollment.media', {}).then((loaded) => { if (live) setMedia(loaded); }, setError);
    return () => { live = false; };
  }, [client, enrollment.id]);
  const editDetails = () => client.call('enrollment.editDetails', {}).then(onChange, setError);
  return (
    <section className="step review-step" data-testid="review-step">
      <EnrollmentSummary enrollment={enrollment} media={media} onEditDetails={() => void editDetails()} />
      <ErrorText error={error} />
      <ConsentPanel enrollment={enrollment} onChange={onChange} />
      <ApprovalForm enrollment={enrollment} onFinished={onFinished} />
    </section>
  );
}

/** After the commit: sealed and queued (with how many wait to be sent), or held for a supervisor. */
export function FinishedNotice({ finished, onDone }: { finished: Finished; onDone(): void }) {
  const { t } = useTranslation();
  const queueDepth = useSystemStatus()?.queueDepth ?? (finished.kind === 'sealed' ? finished.queueDepth : 0);
  return (
    <section className={`step panel finished-notice finished-${finished.kind}`} data-testid="finished-notice" data-kind={finished.kind} role="status">
      {finished.kind === 'sealed' ? (
        <>
          <h2>{t('review.saved.heading')}</h2>
          <p className="lead" data-testid="sealed-record">{t('review.saved.record', { record: finished.recordId.slice(0, 8) })}</p>
          <p data-testid="sealed-queue" data-count={queueDepth}>{t('review.saved.queue', { count: queueDepth })}</p>
        </>
      ) : (
        <>
          <h2>{t('review.held.heading')}</h2>
          <p className="lead" data-testid="held-notice">{t('review.held.body')}</p>
          <p data-testid="held-count" data-count={finished.held}>{t('review.held.count', { count: finished.held })}</p>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" data-testid="finished-done" onClick={onDone}>{t('review.saved.done')}</button>
      </div>
    </section>
  );
}
