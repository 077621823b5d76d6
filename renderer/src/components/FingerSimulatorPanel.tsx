// On a simulated fingerprint module: buttons that put a virtual finger on the sensor (a
// person's finger, each its own synthetic pattern) and lift it, for demos, training and
// the end-to-end tests. `other` offers a second finger, e.g. the wrong one.
import { useTranslation } from 'react-i18next';
import { useKiosk } from '../kiosk-context';

export function FingerSimulatorPanel({ person, finger, other }: { person: string; finger: number; other?: number }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const place = (position: number) =>
    void client.call('devices.simulate', { action: 'place-finger', person, finger: position }).catch(() => undefined);
  return (
    <aside className="panel simulator" data-testid="finger-simulator">
      <h3>{t('fingerprint.simulator.heading')}</h3>
      <div className="actions start">
        <button type="button" data-testid="sim-place-finger" disabled={!person} onClick={() => place(finger)}>
          {t('fingerprint.simulator.place')}
        </button>
        {other !== undefined && (
          <button type="button" data-testid="sim-place-other-finger" disabled={!person} onClick={() => place(other)}>
            {t('fingerprint.simulator.placeOther')}
          </button>
        )}
        <button type="button" data-testid="sim-lift-finger"
          onClick={() => void client.call('devices.simulate', { action: 'lift-finger' }).catch(() => undefined)}>
          {t('fingerprint.simulator.lift')}
        </button>
      </div>
    </aside>
  );
}
