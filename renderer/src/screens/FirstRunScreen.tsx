// First run: no operator exists, so a technician creates the first account here
// (the same can be done with `gatehouse operator add --role technician`).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorText } from '../components/ErrorText';
import { useKiosk } from '../kiosk-context';

export function FirstRunScreen({ onCreated }: { onCreated(): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await client.call('setup.createFirstTechnician', { name, pin });
      onCreated();
    } catch (failure) {
      setError(failure);
    }
  };

  const mismatch = repeat.length > 0 && repeat !== pin;
  return (
    <main className="screen first-run" data-testid="first-run-screen">
      <h1>{t('firstRun.heading')}</h1>
      <p className="lead">{t('firstRun.intro')}</p>
      <form onSubmit={submit} className="form" noValidate>
        <label>{t('firstRun.name')}
          <input name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>{t('firstRun.pin')}
          <input name="pin" type="password" autoComplete="new-password" minLength={6} value={pin} onChange={(e) => setPin(e.target.value)} required />
        </label>
        <label>{t('firstRun.pinRepeat')}
          <input name="pinRepeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
        </label>
        {mismatch && <p className="error">{t('firstRun.mismatch')}</p>}
        <ErrorText error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={!name || pin.length < 6 || mismatch || !repeat}>{t('firstRun.submit')}</button>
        </div>
      </form>
    </main>
  );
}
