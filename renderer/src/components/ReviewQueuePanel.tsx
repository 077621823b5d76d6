// The supervisor's review queue: enrollments an officer held because they need a second
// approval, oldest first, with who held them, why, and a flag on those held too long. Opening
// one shows everything to decide on (the same summary as the review, with its pictures);
// approving takes the supervisor's own PIN or finger, rejecting a reason from a list.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import type { HeldEnrollment, RejectionReason, ReviewQueue } from '../../../main/rpc/procedures/review-queue';
import { useDateFormat } from '../hooks/useDateFormat';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';
import { CredentialForm } from './CredentialForm';
import { EnrollmentSummary } from './EnrollmentSummary';
import { heldReference } from './held-reference';
import { ErrorText } from './ErrorText';

type Queue = z.infer<typeof ReviewQueue>;
type Held = z.infer<typeof HeldEnrollment>;
type Reason = z.infer<typeof RejectionReason>;
const REJECTION_REASONS: readonly Reason[] = ['identity-doubt', 'document-doubt', 'poor-captures', 'incomplete', 'other'];

export function ReviewQueuePanel({ supervisor, onReviewing }: {
  supervisor: z.infer<typeof Operator>;
  /** A held enrollment is open (the rest of the staff screen steps aside) or closed again. */
  onReviewing(reviewing: boolean): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const held = useSystemStatus()?.heldEnrollments;
  const [queue, setQueue] = useState<Queue | null>(null);
  const [opened, setOpened] = useState<Held | null>(null);
  const [decided, setDecided] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(() => {
    client.call('reviewQueue.list', {}).then(setQueue, setError);
  }, [client]);
  useEffect(refresh, [refresh, held]);

  const open = (id: string) => {
    setDecided(null);
    client.call('reviewQueue.open', { id }).then((loaded) => { setError(null); setOpened(loaded); onReviewing(true); }, setError);
  };
  const close = (message: string | null) => {
    setOpened(null);
    setDecided(message);
    onReviewing(false);
    refresh();
  };

  if (opened) {
    return <HeldEnrollmentReview held={opened} supervisor={supervisor} onBack={() => close(null)} onDecided={close} />;
  }
  return (
    <section className="panel review-queue" data-testid="review-queue">
      <h2>{t('queue.heading')}</h2>
      {decided && <p className="verdict verdict-neutral" data-testid="queue-decided">{decided}</p>}
      {queue && queue.enrollments.length === 0 && <p className="muted" data-testid="queue-empty">{t('queue.empty')}</p>}
      {queue && queue.enrollments.length >= queue.limit && <p className="warning" data-testid="queue-full">{t('queue.full', { limit: queue.limit })}</p>}
      <ul className="queue-list">
        {queue?.enrollments.map((entry) => (
          <li key={entry.id} data-testid="queue-entry" data-overdue={entry.overdue}>
            <div>
              <p className="summary-lead">
                {t(`queue.kinds.${entry.flow}`)}
                {entry.overdue && <span className="badge badge-overdue" data-testid="queue-overdue">{t('queue.overdue', { hours: queue.maxAgeHours })}</span>}
              </p>
              <p className="muted">
                {t('queue.reference', { ref: heldReference(entry.id) })} · {t('queue.heldBy', { name: entry.heldBy?.name ?? '—', time: dateTime(entry.heldAt) })}
              </p>
              <p>{entry.reasons.map((reason) => t(`review.reasons.${reason}`)).join(' · ')}</p>
            </div>
            <button type="button" className="primary" data-testid="queue-open" onClick={() => open(entry.id)}>{t('queue.open')}</button>
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
    </section>
  );
}

function HeldEnrollmentReview({ held, supervisor, onBack, onDecided }: {
  held: Held;
  supervisor: z.infer<typeof Operator>;
  onBack(): void;
  onDecided(message: string): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const [reason, setReason] = useState<Reason | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { summary, enrollment, media } = held;

  const [confirming, setConfirming] = useState(false);
  const reject = () => {
    if (!reason) return;
    setConfirming(false);
    client.call('reviewQueue.reject', { id: summary.id, reason })
      .then(() => onDecided(t('queue.rejected')), setError);
  };

  return (
    <section className="panel held-review" data-testid="held-review">
      <div className="panel-top">
        <h2>{t('queue.reviewHeading', { flow: t(`queue.kinds.${summary.flow}`) })} · {heldReference(summary.id)}</h2>
        <button type="button" data-testid="held-back" onClick={onBack}>{t('queue.back')}</button>
      </div>
      <p className="muted">{t('queue.heldBy', { name: summary.heldBy?.name ?? '—', time: dateTime(summary.heldAt) })}</p>
      <EnrollmentSummary enrollment={enrollment} media={media} />
      <div className="held-decision">
        <section className="panel approval" data-testid="held-approve">
          <h3>{t('queue.approveHeading')}</h3>
          <p>{t('queue.approveIntro', { name: supervisor.name })}</p>
          <CredentialForm testId="held-approve-form" askName={false} errorScope="review" simulatedPerson={supervisor.name}
            submitLabel={t('review.approval.approve')} busyLabel={t('review.approval.sealing')}
            onSubmit={(credential) => client.call('reviewQueue.approve', { id: summary.id, credential })
              .then((sealed) => onDecided(t('queue.approved', { number: sealed.number })))} />
        </section>
        <section className="panel reject" data-testid="held-reject">
          <h3>{t('queue.rejectHeading')}</h3>
          <p>{t('queue.rejectIntro')}</p>
          <div className="actions start wrap" role="group">
            {REJECTION_REASONS.map((choice) => (
              <button key={choice} type="button" aria-pressed={reason === choice} data-testid={`reject-${choice}`}
                onClick={() => setReason(choice)}>{t(`queue.reasons.${choice}`)}</button>
            ))}
          </div>
          <ErrorText error={error} />
          <div className="actions">
            <button type="button" className="danger" disabled={!reason} data-testid="reject-submit" onClick={() => setConfirming(true)}>{t('queue.reject')}</button>
          </div>
          {confirming && reason && (
            <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="reject-heading" data-testid="reject-confirm">
              <div className="dialog">
                <h2 id="reject-heading">{t('queue.rejectConfirm.heading')}</h2>
                <p>{t('queue.rejectConfirm.body', { reason: t(`queue.reasons.${reason}`) })}</p>
                <div className="actions">
                  <button type="button" data-testid="reject-keep" onClick={() => setConfirming(false)}>{t('queue.rejectConfirm.keep')}</button>
                  <button type="button" className="danger" data-testid="reject-confirm-yes" onClick={reject}>{t('queue.rejectConfirm.confirm')}</button>
                </div>
              </div>
            </div>
          )}
        </section>
      </div>
    </section>
  );
}
