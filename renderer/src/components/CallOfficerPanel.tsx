// A business owner alone at the face step whose face cannot be captured, or whose liveness
// challenge fails, calls an officer: the officer identifies here (name and PIN, or finger)
// without logging the screen out, then takes the picture, decides or records the exception.
// Their help ends with the face step, or when they press "Done".
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';
import { CredentialForm } from './CredentialForm';

type EnrollmentView = z.infer<typeof Enrollment>;

export function CallOfficerPanel({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const officer = enrollment.assistedBy;
  if (officer) {
    return (
      <div className="panel assist-banner" data-testid="officer-assisting" role="status">
        <p>{t('callOfficer.assisting', { name: officer.name })}</p>
        <button type="button" data-testid="officer-done"
          onClick={() => void client.call('enrollment.endAssist', {}).then(onChange, () => undefined)}>{t('callOfficer.done')}</button>
      </div>
    );
  }
  if (!open) {
    return (
      <div className="panel call-officer" data-testid="call-officer-panel">
        <p>{t('callOfficer.hint')}</p>
        <div className="actions start">
          <button type="button" data-testid="call-officer" onClick={() => setOpen(true)}>{t('callOfficer.open')}</button>
        </div>
      </div>
    );
  }
  return (
    <section className="panel call-officer" data-testid="call-officer-panel">
      <h3>{t('callOfficer.heading')}</h3>
      <p>{t('callOfficer.identifyHint')}</p>
      <CredentialForm testId="call-officer-form" askName submitLabel={t('callOfficer.identify')} busyLabel={t('callOfficer.identifying')}
        onSubmit={(credential) => client.call('enrollment.callOfficer', { credential }).then((view) => { setOpen(false); onChange(view); })}
        secondary={<button type="button" onClick={() => setOpen(false)}>{t('exception.back')}</button>} />
    </section>
  );
}
