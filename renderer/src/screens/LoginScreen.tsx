// Staff login with name and PIN, or by an enrolled finger when the fingerprint scanner is
// there; shows lockouts and failures in the screen's language.
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import { ErrorText } from '../components/ErrorText';
import { FingerprintLiveState } from '../components/FingerprintLiveState';
import { FingerSimulatorPanel } from '../components/FingerSimulatorPanel';
import { PinPad } from '../components/PinPad';
import { useFingerprintProgress } from '../hooks/useFingerprintProgress';
import { usePinSubmission } from '../hooks/usePinSubmission';
import { useSystemStatus } from '../hooks/useSystemStatus';
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
  const clearPin = useCallback(() => setPin(''), []);
  const { busy, error, setError, submit } = usePinSubmission(clearPin);
  const [byFinger, setByFinger] = useState(false);
  const [progress, clearProgress] = useFingerprintProgress();
  const scanner = useSystemStatus()?.devices.find((device) => device.kind === 'fingerprint');
  const scannerPresent = scanner?.state === 'ready' || scanner?.state === 'busy';

  const loginByFinger = async () => {
    setByFinger(true);
    setError(null);
    clearProgress();
    try {
      const { operator } = await client.call('auth.loginFingerprint', {});
      onLoggedIn(operator);
    } catch (failure) {
      setError(failure);
    } finally {
      setByFinger(false);
    }
  };
  const cancel = () => {
    if (byFinger) void client.call('fingerprint.cancel', {}).catch(() => undefined);
    onCancel();
  };

  const logIn = submit(async () => {
    const { operator } = await client.call('auth.login', { name, pin });
    onLoggedIn(operator);
  });

  return (
    <main className="screen login" data-testid="login-screen">
      <h1>{t('login.heading')}</h1>
      {reason && <p className="lead">{t(reason)}</p>}
      <form onSubmit={logIn} className="form">
        <label>{t('login.name')}
          <input name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>{t('login.pin')}
          <input name="pin" type="password" inputMode="numeric" autoComplete="off" value={pin}
            onChange={(e) => setPin(e.target.value)} required />
        </label>
        <PinPad value={pin} onChange={setPin} />
        <ErrorText error={error} />
        {byFinger && <FingerprintLiveState progress={progress} finger={t('fingerprint.login.yourFinger')} />}
        <div className="actions">
          <button type="button" onClick={cancel}>{t('flow.cancel')}</button>
          {scannerPresent && !byFinger && (
            <button type="button" data-testid="login-fingerprint" onClick={() => void loginByFinger()}>{t('fingerprint.login.button')}</button>
          )}
          <button type="submit" className="primary" disabled={busy || byFinger || !name || !pin}>{t('login.submit')}</button>
        </div>
      </form>
      {/* The typed name says whose virtual finger to place: each operator's fingers are their own. */}
      {scannerPresent && scanner?.simulated && <FingerSimulatorPanel person={name} finger={2} />}
    </main>
  );
}
