// The latest fingerprint.progress event for this screen (place, lift, place again,
// capturing, uploading), with a way to clear it when an operation starts or ends.
import { useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import type { FingerprintProgress } from '../../../main/rpc/procedures/fingerprint';
import { useKiosk } from '../kiosk-context';

export type Progress = z.infer<typeof FingerprintProgress>;

export function useFingerprintProgress(): [Progress | null, () => void] {
  const client = useKiosk();
  const [progress, setProgress] = useState<Progress | null>(null);
  useEffect(() => client.on('fingerprint.progress', setProgress), [client]);
  const clear = useCallback(() => setProgress(null), []);
  return [progress, clear];
}
