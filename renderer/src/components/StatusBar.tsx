// The strip at the bottom of every screen: each device's state, the network and the
// number of records waiting to be delivered, kept current by status events.
import { useTranslation } from 'react-i18next';
import { useSystemStatus } from '../hooks/useSystemStatus';

export function StatusBar() {
  const { t } = useTranslation();
  const status = useSystemStatus();
  if (!status) return <footer className="status-bar" />;
  return (
    <footer className="status-bar" data-testid="status-bar">
      {status.devices.map((device) => (
        <span key={device.kind} className={`device device-${device.state}`} data-testid={`device-${device.kind}`} data-state={device.state}>
          {t('status.device', { device: t(`status.devices.${device.kind}`), state: t(`status.states.${device.state}`) })}
        </span>
      ))}
      <span className={`network network-${status.network}`}>{t(`status.network.${status.network}`)}</span>
      <span className="queue" data-testid="queue-depth">{t('status.queue', { count: status.queueDepth })}</span>
    </footer>
  );
}
