// The officer's approval on the review step. Person flow: the officer logged in on this
// screen re-enters their PIN. Company flow: any officer or supervisor at the kiosk enters
// name and PIN. A wrong PIN counts towards the lockout; the record is sealed only on approval.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { SealedEnrollment } from '../../../main/rpc/procedures/review';
import { usePinSubmission } from '../hooks/usePinSubmission';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';
import { PinPad } from './PinPad';

export type Sealed = z.infer<typeof SealedEnrollment>;

export function ApprovalForm({ flow, consented, onSealed }: { flow: 'person' | 'company'; consented: boolean; onSealed(sealed: Sealed): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [officer, setOfficer] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const clearPin = useCallback(() => setPin(''), []);
  const { busy, error, setError, submit } = usePinSubmission(clearPin);

  useEffect(() => {
    if (flow !== 'person') return undefined;
    let live = true;
    client.call('auth.whoami', {}).then((operator) => { if (live) setOfficer(operator?.name ?? null); }, setError);
    return () => { live = false; };
  }, [client, flow]);

  const approve = submit(async () => {
    onSealed(await client.call('enrollment.approve', flow === 'company' ? { name, pin } : { pin }));
  });

  return (
    <section className="panel approval" data-testid="approval">
      <h3>{t('review.approval.heading')}</h3>
      <p>{flow === 'person' ? t('review.approval.person', { name: officer ?? '…' }) : t('review.approval.company')}</p>
      <form className="form" onSubmit={(event) => void approve(event)}>
        {flow === 'company' && (
          <label>{t('login.name')}
            <input name="approverName" autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
          </label>
        )}
        <label>{t('login.pin')}
          <input name="approverPin" type="password" inputMode="numeric" autoComplete="off" value={pin}
            onChange={(event) => setPin(event.target.value)} />
        </label>
        <PinPad value={pin} onChange={setPin} />
        <ErrorText error={error} scope="review" />
        {!consented && <p className="muted" data-testid="consent-first">{t('review.approval.consentFirst')}</p>}
        <div className="actions">
          <button type="submit" className="primary" data-testid="approve"
            disabled={busy || !consented || !pin || (flow === 'company' && !name.trim())}>
            {t(busy ? 'review.approval.sealing' : 'review.approval.approve')}
          </button>
        </div>
      </form>
    </section>
  );
}
