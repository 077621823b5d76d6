// The strip at the bottom of every screen: each device's state, the network and the
// number of records waiting to be delivered, kept current by status events.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { SystemStatus } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';

type Status = z.infer<typeof SystemStatus>;

export function StatusBar() {
  const client = useKiosk();
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status | null>(null);

  useEffect(() => {
    client.call('system.status', {}).then(setStatus, () => undefined);
    return client.on('system.statusChanged', setStatus);
  }, [client]);

  if (!status) return <footer className="status-bar" />;
  return (
    <footer className="status-bar" data-testid="status-bar">
      {status.devices.map((device) => (
        <span key={device.kind} className={`device device-${device.state}`} title={device.reason}>
          {t(`status.devices.${device.kind}`)}: {t(`status.states.${device.state}`)}
        </span>
      ))}
      <span className={`network network-${status.network}`}>{t(`status.network.${status.network}`)}</span>
      <span className="queue" data-testid="queue-depth">{t('status.queue', { count: status.queueDepth })}</span>
    </footer>
  );
}
