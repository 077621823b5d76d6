// An enrollment flow: starts the enrollment in the kiosk, follows its state (which lives in
// main; this screen only renders it) and shows the current step. Cancelling asks first. Once
// the record is sealed, or the enrollment is held for a supervisor, it says so, and "Done"
// leaves the flow. A kiosk that cannot start one says why instead.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, Flow } from '../../../main/rpc/contract';
import type { Finished } from '../components/ApprovalForm';
import { CallOfficerPanel } from '../components/CallOfficerPanel';
import { chipHasPortrait } from '../components/chip-facts';
import { ErrorText } from '../components/ErrorText';
import { FaceExceptionPanel } from '../components/FaceExceptionPanel';
import { useKiosk } from '../kiosk-context';
import { DetailsStep } from '../steps/DetailsStep';
import { DocumentStep } from '../steps/DocumentStep';
import { FaceStep } from '../steps/FaceStep';
import { FingerprintStep } from '../steps/FingerprintStep';
import { FinishedNotice, ReviewStep } from '../steps/ReviewStep';

type EnrollmentView = z.infer<typeof Enrollment>;

export function FlowScreen({ flow, onExit }: { flow: Flow; onExit(): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [enrollment, setEnrollment] = useState<EnrollmentView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [finished, setFinished] = useState<Finished | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [faceExceptionOpen, setFaceExceptionOpen] = useState(false);

  useEffect(() => {
    let live = true;
    client.call('enrollment.start', { flow }).then((view) => { if (live) setEnrollment(view); }, setError);
    const unsubscribe = client.on('enrollment.changed', (view) => { if (live && view) setEnrollment(view); });
    return () => { live = false; unsubscribe(); };
  }, [client, flow]);

  const cancel = () => client.call('enrollment.cancel', {}).catch(() => undefined).finally(onExit);
  const officerPresent = flow === 'person' || enrollment?.assistedBy != null;

  return (
    <main className="screen flow" data-testid={`flow-${flow}`}>
      <h1>{t(`flow.${flow}`)}</h1>
      <ErrorText error={error} />
      {finished ? <FinishedNotice finished={finished} onDone={onExit} /> : enrollment && (
        <>
          <ol className="steps" data-testid="step-rail">
            {enrollment.steps.map((step) => (
              <li key={step} aria-current={step === enrollment.step ? 'step' : undefined}>{t(`flow.steps.${step}`)}</li>
            ))}
          </ol>
          {enrollment.step === 'document' && <DocumentStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'face' && flow === 'company' && <CallOfficerPanel enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'face' && !faceExceptionOpen && <FaceStep officerPresent={officerPresent} portraitFromChip={chipHasPortrait(enrollment.document?.chip)} />}
          {enrollment.step === 'fingerprints' && <FingerprintStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'details' && <DetailsStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'review' && <ReviewStep enrollment={enrollment} onChange={setEnrollment} onFinished={setFinished} />}
          {/* Only an officer may record that the face cannot be captured: logged in (person flow) or called to the screen. */}
          {enrollment.step === 'face' && officerPresent && (
            <FaceExceptionPanel open={faceExceptionOpen} onOpen={setFaceExceptionOpen}
              onChange={(view) => { setFaceExceptionOpen(false); setEnrollment(view); }} />
          )}
        </>
      )}
      {!finished && (
        <div className="actions">
          <button type="button" onClick={() => (enrollment ? setConfirmCancel(true) : onExit())} data-testid="flow-cancel">{t('flow.cancel')}</button>
        </div>
      )}
      {confirmCancel && (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="cancel-heading" data-testid="cancel-confirm">
          <div className="dialog">
            <h2 id="cancel-heading">{t('flow.cancelConfirm.heading')}</h2>
            <p>{t('flow.cancelConfirm.body')}</p>
            <div className="actions">
              <button type="button" data-testid="cancel-keep" onClick={() => setConfirmCancel(false)}>{t('flow.cancelConfirm.keep')}</button>
              <button type="button" className="danger" data-testid="cancel-confirm-yes" onClick={() => void cancel()}>{t('flow.cancelConfirm.confirm')}</button>
            </div>
          </div>
        </div>
      )}
    </main>
  );
}
