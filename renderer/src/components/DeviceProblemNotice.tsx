// What an officer is told when a device a step needs cannot be used: one plain, translated
// sentence per device and problem that says what to do ("The document reader is not
// connected. Check its cable or call a technician."). The technical detail behind it stays
// in the log and on the technician's diagnostics screen; none of it reaches this notice.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceStatus } from '../../../main/rpc/contract';
import type { Problem } from './device-problem';

export function DeviceProblemNotice({ kind, problem }: { kind: z.infer<typeof DeviceStatus>['kind']; problem: Problem | null }) {
  const { t } = useTranslation();
  if (problem === null) return null;
  return (
    <p className="error device-problem" role="alert" data-testid={`device-problem-${kind}`} data-problem={problem}>
      {t(`status.problems.${kind}.${problem}`)}
    </p>
  );
}
