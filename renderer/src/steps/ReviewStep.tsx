// The review step: what will be sealed (with the pictures), the consent the person ticks, and
// the approval that seals the record or holds it for a supervisor. Afterwards the screen says
// which of the two happened: a sealed record's number, where it is now, and its slip, printed
// for the person to take away; and the enrollment is over.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, EnrollmentMedia } from '../../../main/rpc/contract';
import type { PrintedSlip, RecordEntry } from '../../../main/rpc/procedures/records';
import { ApprovalForm, type Finished } from '../components/ApprovalForm';
import { ConsentPanel } from '../components/ConsentPanel';
import { EnrollmentSummary } from '../components/EnrollmentSummary';
import { ErrorText } from '../components/ErrorText';
import { heldReference } from '../components/held-reference';
import { SlipPreview } from '../components/SlipPreview';
import { useAction } from '../hooks/useAction';
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
      {/* Beside what will be sealed, on a wide screen: the consent and the approval. */}
      <div className="review-side">
        <ErrorText error={error} />
        <ConsentPanel enrollment={enrollment} onChange={onChange} />
        <ApprovalForm enrollment={enrollment} onFinished={onFinished} />
      </div>
    </section>
  );
}

/** After the commit: sealed (with its number, where it is now, and its slip printed) or held for a supervisor. */
export function FinishedNotice({ finished, onDone }: { finished: Finished; onDone(): void }) {
  const { t } = useTranslation();
  return (
    <section className={`step panel finished-notice finished-${finished.kind}`} data-testid="finished-notice" data-kind={finished.kind} role="status">
      {finished.kind === 'sealed' ? <SealedRecord number={finished.number} /> : (
        <>
          <h2>{t('review.held.heading')}</h2>
          <p className="lead" data-testid="held-notice">{t('review.held.body')}</p>
          <p data-testid="held-reference">{t('review.held.reference', { ref: heldReference(finished.enrollmentId) })}</p>
          <p data-testid="held-count" data-count={finished.held}>{t('review.held.count', { count: finished.held })}</p>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" data-testid="finished-done" onClick={onDone}>{t('review.saved.done')}</button>
      </div>
    </section>
  );
}

/** The number to keep, one true sentence about where the record is, and the slip, printed once by itself. */
function SealedRecord({ number }: { number: string }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const status = useSystemStatus();
  const [entry, setEntry] = useState<z.infer<typeof RecordEntry> | null>(null);
  const [slip, setSlip] = useState<z.infer<typeof PrintedSlip> | null>(null);
  const printing = useAction();
  const print = useCallback(() => printing.run(async () => setSlip(await client.call('enrollment.printSlip', {}))), [client, printing.run]);

  useEffect(() => { void print(); }, [print]);
  useEffect(() => {
    let live = true;
    client.call('enrollment.finished', {}).then((found) => { if (live) setEntry(found); }, () => undefined);
    return () => { live = false; };
  }, [client, status]);

  const where = entry === null ? null
    : entry.state === 'sealed' ? t('finished.waiting', { count: entry.ahead ?? 0 })
      : entry.state === 'delivery-refused' ? t('finished.refused') : t('finished.sent');
  return (
    <div className="sealed-record">
      <div className="sealed-text">
        <h2>{t('review.saved.heading')}</h2>
        <p className="number-label">{t('finished.number')}</p>
        <p className="enrollment-number" data-testid="sealed-number">{number}</p>
        {where && <p className="lead" data-testid="sealed-where" data-state={entry!.state}>{where}</p>}
        <p>{t('finished.keepSlip')}</p>
        {printing.busy && <p className="muted" role="status" data-testid="slip-printing">{t('finished.printing')}</p>}
        <ErrorText error={printing.error} />
        <div className="actions start">
          <button type="button" data-testid="slip-print-again" disabled={printing.busy} onClick={() => void print()}>{t('finished.printAgain')}</button>
        </div>
      </div>
      {slip && <SlipPreview slip={slip} />}
    </div>
  );
}
