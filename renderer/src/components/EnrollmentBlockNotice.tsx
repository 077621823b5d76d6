// Why no enrollment can start on this kiosk right now, in words that say what to do: it is
// not registered with the authority yet (a technician provisions it), or too many
// enrollments wait for a supervisor's review (a supervisor decides them).
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { EnrollmentBlock } from '../../../main/rpc/contract';

export function EnrollmentBlockNotice({ blocked }: { blocked: z.infer<typeof EnrollmentBlock> }) {
  const { t } = useTranslation();
  if (blocked === null) return null;
  return (
    <div className="panel block-notice" role="alert" data-testid="enrollment-blocked" data-reason={blocked}>
      <h2>{t(`start.blocked.${blocked}.heading`)}</h2>
      <p>{t(`start.blocked.${blocked}.body`)}</p>
    </div>
  );
}
