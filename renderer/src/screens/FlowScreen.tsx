// An enrollment flow: starts the enrollment in the kiosk, follows its state (which
// lives in main; this screen only renders it) and shows the current step; once the record
// is sealed it says so, and "Done" leaves the flow.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import type { Sealed } from '../components/ApprovalForm';
import { ErrorText } from '../components/ErrorText';
import { useKiosk } from '../kiosk-context';
import { FaceExceptionPanel } from '../components/FaceExceptionPanel';
import { DetailsStep } from '../steps/DetailsStep';
import { DocumentStep } from '../steps/DocumentStep';
import { FaceStep } from '../steps/FaceStep';
import { FingerprintStep } from '../steps/FingerprintStep';
import { ReviewStep, SealedNotice } from '../steps/ReviewStep';

export type Flow = 'person' | 'company';
type EnrollmentView = z.infer<typeof Enrollment>;

export function FlowScreen({ flow, onExit }: { flow: Flow; onExit(): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [enrollment, setEnrollment] = useState<EnrollmentView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sealed, setSealed] = useState<Sealed | null>(null);

  useEffect(() => {
    let live = true;
    client.call('enrollment.start', { flow }).then((view) => { if (live) setEnrollment(view); }, setError);
    const unsubscribe = client.on('enrollment.changed', (view) => { if (live && view) setEnrollment(view); });
    return () => { live = false; unsubscribe(); };
  }, [client, flow]);

  const cancel = () => client.call('enrollment.cancel', {}).catch(() => undefined).finally(onExit);

  return (
    <main className="screen flow" data-testid={`flow-${flow}`}>
      <h1>{t(`flow.${flow}`)}</h1>
      <ErrorText error={error} />
      {sealed ? <SealedNotice sealed={sealed} onDone={onExit} /> : enrollment && (
        <>
          <ol className="steps" data-testid="step-rail">
            {enrollment.steps.map((step) => (
              <li key={step} aria-current={step === enrollment.step ? 'step' : undefined}>{t(`flow.steps.${step}`)}</li>
            ))}
          </ol>
          {enrollment.step === 'document' && <DocumentStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'face' && <FaceStep officerPresent={flow === 'person'} />}
          {enrollment.step === 'fingerprints' && <FingerprintStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'details' && <DetailsStep enrollment={enrollment} onChange={setEnrollment} />}
          {enrollment.step === 'review' && <ReviewStep enrollment={enrollment} onChange={setEnrollment} onSealed={setSealed} />}
          {/* Only an officer may record that the face cannot be captured: the person flow always has one logged in. */}
          {enrollment.step === 'face' && flow === 'person' && <FaceExceptionPanel onChange={setEnrollment} />}
        </>
      )}
      {!sealed && (
        <div className="actions">
          <button type="button" onClick={cancel} data-testid="flow-cancel">{t('flow.cancel')}</button>
        </div>
      )}
    </main>
  );
}
