// The strip at the bottom of every screen: each device's state, or in words what is wrong
// with it ("Document reader: not connected"), the network and the number of records waiting
// to be delivered, kept current by status events.
import { useTranslation } from 'react-i18next';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { problemOf } from './device-problem';

export function StatusBar() {
  const { t } = useTranslation();
  const status = useSystemStatus();
  if (!status) return <footer className="status-bar" />;
  return (
    <footer className="status-bar" data-testid="status-bar">
      {status.devices.map((device) => {
        const problem = problemOf(device);
        const state = problem ? t(`status.problems.words.${problem}`) : t(`status.states.${device.state}`);
        return (
          <span key={device.kind} className={`device device-${device.state}`} data-testid={`device-${device.kind}`} data-state={device.state}
            data-problem={problem ?? undefined}>
            {t('status.device', { device: t(`status.devices.${device.kind}`), state })}
          </span>
        );
      })}
      <span className={`network network-${status.network}`}>{t(`status.network.${status.network}`)}</span>
      <span className="queue" data-testid="queue-depth">{t('status.queue', { count: status.queueDepth })}</span>
    </footer>
  );
}
