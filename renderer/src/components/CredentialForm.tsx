// An operator proves who they are at this screen without logging it in: name (unless it is
// the operator logged in here) and PIN on the on-screen pad, or a finger on the scanner when
// there is one. Used to approve, to hold an enrollment for review, and by an officer called to
// a business owner's screen. A wrong PIN counts like a login's; after too many the form counts
// down the wait the kiosk announced and offers the finger meanwhile.
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { OperatorCredential } from '../../../main/rpc/contract';
import { useAction } from '../hooks/useAction';
import { useFingerprintProgress } from '../hooks/useFingerprintProgress';
import { usePinSubmission } from '../hooks/usePinSubmission';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { ErrorText } from './ErrorText';
import { FingerprintLiveState } from './FingerprintLiveState';
import { FingerSimulatorPanel } from './FingerSimulatorPanel';
import { PinPad } from './PinPad';
import { PinWaitNotice, usePinWait } from './PinWaitNotice';

export type Credential = z.infer<typeof OperatorCredential>;

export function CredentialForm({ testId, askName, submitLabel, busyLabel, disabled = false, errorScope, simulatedPerson, onSubmit, secondary }: {
  testId: string;
  /** Whose credential it is must be typed: not (only) the operator logged in here. */
  askName: boolean;
  submitLabel: string;
  busyLabel: string;
  disabled?: boolean;
  /** Where ErrorText looks first for wording of its own (e.g. "review"). */
  errorScope?: string;
  /** On a simulated scanner: whose virtual finger to place when the name is not typed here. */
  simulatedPerson?: string;
  onSubmit(credential: Credential): Promise<void>;
  /** A button that goes first in the row of actions (cancel, back). */
  secondary?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const clearPin = useCallback(() => setPin(''), []);
  const { busy, error: pinError, submit } = usePinSubmission(clearPin);
  const finger = useAction();
  const byFinger = finger.busy;
  const error = finger.error ?? pinError;
  const [progress, clearProgress] = useFingerprintProgress();
  const scanner = useSystemStatus()?.devices.find((device) => device.kind === 'fingerprint');
  const scannerReady = scanner?.state === 'ready' || scanner?.state === 'busy';
  const { wait, left: waitLeft } = usePinWait(pinError);

  const withPin = submit(() => {
    finger.setError(null);
    return onSubmit(askName ? { method: 'pin', name, pin } : { method: 'pin', pin });
  });
  const withFinger = () => {
    clearProgress();
    return finger.run(() => onSubmit({ method: 'fingerprint' }));
  };

  return (
    <form className="form credential-form" data-testid={testId} onSubmit={(event) => void withPin(event)}>
      <div className="credential-fields">
      {askName && (
        <label>{t('login.name')}
          <input name={`${testId}-name`} autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
        </label>
      )}
      <label>{t('login.pin')}
        <input name={`${testId}-pin`} type="password" inputMode="numeric" autoComplete="off" value={pin}
          onChange={(event) => setPin(event.target.value)} />
      </label>
      {byFinger && <FingerprintLiveState progress={progress} finger={t('fingerprint.login.yourFinger')} />}
      {wait && !finger.error
        ? <PinWaitNotice wait={wait} left={waitLeft} withFinger={scannerReady} scope={errorScope} />
        : <ErrorText error={error} scope={errorScope} />}
      <div className="actions">
        {secondary}
        {scannerReady && !byFinger && (
          <button type="button" data-testid={`${testId}-finger`} disabled={disabled || busy} onClick={() => void withFinger()}>
            {t('credential.useFinger')}
          </button>
        )}
        <button type="submit" className="primary" data-testid={`${testId}-submit`}
          disabled={disabled || busy || byFinger || waitLeft > 0 || !pin || (askName && !name.trim())}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
      {byFinger && scanner?.simulated && <FingerSimulatorPanel person={askName ? name : simulatedPerson ?? ''} finger={2} />}
      </div>
      <PinPad value={pin} onChange={setPin} />
    </form>
  );
}
