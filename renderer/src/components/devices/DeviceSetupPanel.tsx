// The technician's device set-up (the staff screen's "Devices" section): each device the
// kiosk uses with its live state, its settings and its test, the fingers an enrollment asks
// for and the face step's camera. What the kiosk detected is read when the section opens and
// again on request (a device just plugged in).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceSetup } from '../../../../main/rpc/procedures/devices';
import { useSystemStatus } from '../../hooks/useSystemStatus';
import { useKiosk } from '../../kiosk-context';
import { ErrorText } from '../ErrorText';
import { CameraChoicePanel } from './CameraChoicePanel';
import { DeviceRoleCard } from './DeviceRoleCard';
import { FingerChoice } from './FingerChoice';

type Setup = z.infer<typeof DeviceSetup>;

const ROLES = ['document-reader', 'chip-reader', 'fingerprint'] as const;

export function DeviceSetupPanel() {
  const { t } = useTranslation();
  const client = useKiosk();
  const status = useSystemStatus();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [looking, setLooking] = useState(false);

  const look = useCallback(() => {
    setLooking(true);
    client.call('devices.setup', {})
      .then((next) => { setSetup(next); setError(null); }, setError)
      .finally(() => setLooking(false));
  }, [client]);
  useEffect(look, [look]);

  return (
    <section className="device-setup" data-testid="device-setup">
      <div className="device-setup-top">
        <div>
          <h2>{t('devices.heading')}</h2>
          <p>{t('devices.intro')}</p>
        </div>
        <button type="button" data-testid="devices-look-again" disabled={looking} onClick={look}>{t('devices.lookAgain')}</button>
      </div>
      <ErrorText error={error} />
      {setup && (
        <>
          {Object.values(setup.simulated).some(Boolean) && <p className="warning-banner" data-testid="devices-simulated">{t('devices.simulatedNote')}</p>}
          {setup.detected.notes.length > 0 && (
            <details className="device-technical" data-testid="detection-notes">
              <summary>{t('devices.detectionNotes')}</summary>
              <ul>{setup.detected.notes.map((note) => <li key={note}>{note}</li>)}</ul>
            </details>
          )}
          <div className="device-grid">
            {ROLES.map((role) => (
              <DeviceRoleCard key={role} role={role} setup={setup} live={status?.devices.find((device) => device.kind === role)} onSetup={setSetup} />
            ))}
            <CameraChoicePanel saved={setup.camera} onSetup={setSetup} />
          </div>
          <FingerChoice saved={setup.fingers} onSetup={setSetup} />
        </>
      )}
    </section>
  );
}
