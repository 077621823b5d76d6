// Staff login with name and PIN; shows lockouts and failures in the screen's language.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import { ErrorText } from '../components/ErrorText';
import { PinPad } from '../components/PinPad';
import { useKiosk } from '../kiosk-context';

export function LoginScreen({ reason, onLoggedIn, onCancel }: {
  reason?: string;
  onLoggedIn(operator: z.infer<typeof Operator>): void;
  onCancel(): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { operator } = await client.call('auth.login', { name, pin });
      onLoggedIn(operator);
    } catch (failure) {
      setError(failure);
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="screen login" data-testid="login-screen">
      <h1>{t('login.heading')}</h1>
      {reason && <p className="lead">{t(reason)}</p>}
      <form onSubmit={submit} className="form">
        <label>{t('login.name')}
          <input name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>{t('login.pin')}
          <input name="pin" type="password" inputMode="numeric" autoComplete="off" value={pin}
            onChange={(e) => setPin(e.target.value)} required />
        </label>
        <PinPad value={pin} onChange={setPin} />
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>{t('flow.cancel')}</button>
          <button type="submit" className="primary" disabled={busy || !name || !pin}>{t('login.submit')}</button>
        </div>
      </form>
    </main>
  );
}
