// The kiosk's device, network and queue state, fetched once and kept current by the
// status events; shared by the status bar and the capture steps.
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { SystemStatus } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';

export type Status = z.infer<typeof SystemStatus>;

export function useSystemStatus(): Status | null {
  const client = useKiosk();
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    client.call('system.status', {}).then(setStatus, () => undefined);
    return client.on('system.statusChanged', setStatus);
  }, [client]);
  return status;
}
