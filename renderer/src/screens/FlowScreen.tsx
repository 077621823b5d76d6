// An enrollment flow: the steps it goes through and the current one. The document step
// waits for a configured reader; the capture steps arrive with their device drivers.
import { useTranslation } from 'react-i18next';

export type Flow = 'person' | 'company';
const STEPS = ['document', 'face', 'fingerprints', 'details', 'review'] as const;

export function FlowScreen({ flow, onCancel }: { flow: Flow; onCancel(): void }) {
  const { t } = useTranslation();
  const current = STEPS[0];
  return (
    <main className="screen flow" data-testid={`flow-${flow}`}>
      <h1>{t(`flow.${flow}`)}</h1>
      <ol className="steps">
        {STEPS.map((step) => (
          <li key={step} aria-current={step === current ? 'step' : undefined}>{t(`flow.steps.${step}`)}</li>
        ))}
      </ol>
      <p className="lead">{t('flow.readerMissing')}</p>
      <div className="actions">
        <button type="button" onClick={onCancel} data-testid="flow-cancel">{t('flow.cancel')}</button>
      </div>
    </main>
  );
}
