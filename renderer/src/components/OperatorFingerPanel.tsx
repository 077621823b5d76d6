// An officer's or supervisor's own login finger: choose which finger, place it twice on the
// sensor (the same live prompts as in an enrollment), and log in with it from then on.
// The kiosk accepts this only after a PIN login.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import { useAction } from '../hooks/useAction';
import { useFingerprintProgress } from '../hooks/useFingerprintProgress';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';
import { FingerprintLiveState } from './FingerprintLiveState';
import { FingerSimulatorPanel } from './FingerSimulatorPanel';

const POSITIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export function OperatorFingerPanel({ operator }: { operator: z.infer<typeof Operator> }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const scanner = useSystemStatus()?.devices.find((device) => device.kind === 'fingerprint');
  const [position, setPosition] = useState(2);
  const { busy, error, run } = useAction();
  const [enrolled, setEnrolled] = useState<number | null>(null);
  const [progress, clearProgress] = useFingerprintProgress();
  if (!scanner || scanner.state === 'not-configured') return null;
  const name = (finger: number) => t(`fingerprint.fingers.${finger}`);

  const enroll = () => {
    setEnrolled(null);
    clearProgress();
    return run(async () => setEnrolled((await client.call('auth.enrollFingerprint', { position })).position));
  };

  return (
    <section className="panel" data-testid="operator-finger-panel">
      <h2>{t('fingerprint.login.enrollHeading')}</h2>
      <p>{t('fingerprint.login.enrollHint')}</p>
      {busy ? <FingerprintLiveState progress={progress} finger={name(position)} /> : (
        <div className="form inline">
          <label>{t('fingerprint.login.finger')}
            <select name="loginFinger" value={position} onChange={(event) => setPosition(Number(event.target.value))}>
              {POSITIONS.map((finger) => <option key={finger} value={finger}>{name(finger)}</option>)}
            </select>
          </label>
          <button type="button" className="primary" data-testid="enroll-login-finger" onClick={() => void enroll()}>
            {t('fingerprint.login.enroll')}
          </button>
        </div>
      )}
      {enrolled !== null && <p className="verdict verdict-valid" data-testid="login-finger-enrolled">{t('fingerprint.login.enrolled', { finger: name(enrolled) })}</p>}
      <ErrorText error={error} />
      {scanner.simulated && <FingerSimulatorPanel person={operator.name} finger={position} />}
    </section>
  );
}
