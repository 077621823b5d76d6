// The end of the review. A clean enrollment: the officer logged in here (person flow) or any
// officer or supervisor by name (company flow) approves with PIN or finger. One that needs four
// eyes (exceptions, a face in the review band, a face without a passed challenge, a duplicate
// finger): a second operator who took no part approves with their own credential, or, with
// nobody else at hand, the officer holds it for a supervisor's review. Nothing is saved until
// the kiosk has committed; a refused approval keeps the enrollment for another try.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import type { HeldForReview, SealedEnrollment } from '../../../main/rpc/procedures/enrollment';
import { useAction } from '../hooks/useAction';
import { useKiosk } from '../kiosk-context';
import { CredentialForm, type Credential } from './CredentialForm';
import { ErrorText } from './ErrorText';

type EnrollmentView = z.infer<typeof Enrollment>;
export type Finished =
  | ({ kind: 'sealed' } & z.infer<typeof SealedEnrollment>)
  | ({ kind: 'held' } & z.infer<typeof HeldForReview>);

export function ApprovalForm({ enrollment, onFinished }: { enrollment: EnrollmentView; onFinished(finished: Finished): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [officerMayApprove, setOfficerMayApprove] = useState(false);
  const fourEyes = enrollment.secondApproval.length > 0;
  const consented = enrollment.consent !== null;
  const { flow, ranBy } = enrollment;

  useEffect(() => {
    let live = true;
    client.call('system.info', {}).then((info) => { if (live) setOfficerMayApprove(info.settings.secondApprover === 'supervisor-or-officer'); }, () => undefined);
    return () => { live = false; };
  }, [client]);

  const approve = (credential: Credential) =>
    client.call('enrollment.approve', { credential }).then((sealed) => onFinished({ kind: 'sealed', ...sealed }));
  const intro = fourEyes
    ? t(officerMayApprove ? 'review.approval.secondOfficerOrSupervisor' : 'review.approval.secondSupervisor')
    : flow === 'person' ? t('review.approval.person', { name: ranBy?.name ?? '…' }) : t('review.approval.company');

  return (
    <>
      <section className={`panel approval${fourEyes ? ' approval-four-eyes' : ''}`} data-testid="approval" data-four-eyes={fourEyes}>
        <h3>{t(fourEyes ? 'review.approval.secondHeading' : 'review.approval.heading')}</h3>
        <p>{intro}</p>
        {!consented && <p className="muted" data-testid="consent-first">{t('review.approval.consentFirst')}</p>}
        <CredentialForm testId="approve" askName={fourEyes || flow === 'company'} disabled={!consented} errorScope="review"
          submitLabel={t('review.approval.approve')} busyLabel={t('review.approval.sealing')} simulatedPerson={ranBy?.name}
          onSubmit={approve} />
      </section>
      {fourEyes && <HoldForReview enrollment={enrollment} consented={consented} onFinished={onFinished} />}
    </>
  );
}

/** Nobody else at hand: the enrollment waits, encrypted, for a supervisor. */
function HoldForReview({ enrollment, consented, onFinished }: { enrollment: EnrollmentView; consented: boolean; onFinished(finished: Finished): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { busy, error, run } = useAction();
  const [asking, setAsking] = useState(false);
  const hold = (credential?: Credential) =>
    client.call('enrollment.holdForReview', credential ? { credential } : {}).then((held) => onFinished({ kind: 'held', ...held }));
  return (
    <section className="panel hold-for-review" data-testid="hold-for-review">
      <h3>{t('review.hold.heading')}</h3>
      <p>{t('review.hold.intro')}</p>
      {enrollment.flow === 'person' ? (
        <>
          <ErrorText error={error} scope="review" />
          <div className="actions">
            <button type="button" data-testid="hold-submit" disabled={!consented || busy} onClick={() => void run(() => hold())}>
              {t('review.hold.submit')}
            </button>
          </div>
        </>
      ) : asking ? (
        // Nobody is logged in here: the officer who holds it identifies.
        <CredentialForm testId="hold" askName disabled={!consented} errorScope="review"
          submitLabel={t('review.hold.submit')} busyLabel={t('review.hold.holding')} onSubmit={hold} />
      ) : (
        <div className="actions">
          <button type="button" data-testid="hold-open" disabled={!consented} onClick={() => setAsking(true)}>{t('review.hold.submit')}</button>
        </div>
      )}
    </section>
  );
}
