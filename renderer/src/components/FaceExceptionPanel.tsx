// The officer's way past a face that cannot be captured (no camera, an injury, a medical
// reason …): the reason is recorded with the enrollment and audited, and the flow moves on.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, FaceExceptionReason } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';
import { ExceptionReasonForm } from './ExceptionReasonForm';

type Reason = z.infer<typeof FaceExceptionReason>;
const REASONS: readonly Reason[] = ['no-camera', 'injured', 'medical', 'other'];

export function FaceExceptionPanel({ onChange }: { onChange(view: z.infer<typeof Enrollment>): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <div className="actions start">
        <button type="button" data-testid="face-exception-open" onClick={() => setOpen(true)}>{t('faceException.open')}</button>
      </div>
    );
  }
  return (
    <ExceptionReasonForm testId="face-exception" heading={t('faceException.heading')} reasons={REASONS}
      label={(reason) => t(`faceException.reasons.${reason}`)} recordLabel={t('faceException.record')}
      onRecord={(reason) => client.call('enrollment.recordFaceException', { reason }).then(onChange)}
      onCancel={() => setOpen(false)} />
  );
}
