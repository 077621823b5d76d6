// The officer's way past a face that cannot be captured (no camera, an injury, a medical
// reason, a person who cannot face the camera …): reason, note and a photo of what the officer
// sees go into the record, and the flow moves on. Such an enrollment needs a second approval.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, FaceExceptionReason } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';
import { EvidenceForm } from './EvidenceForm';

type Reason = z.infer<typeof FaceExceptionReason>;
const REASONS: readonly Reason[] = ['injured', 'medical', 'cannot-face-camera', 'no-camera', 'other'];

export function FaceExceptionPanel({ open, onOpen, onChange }: {
  open: boolean;
  /** The form opens (the live camera of the face step gives way to it) or closes. */
  onOpen(open: boolean): void;
  onChange(view: z.infer<typeof Enrollment>): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const setOpen = onOpen;
  if (!open) {
    return (
      <div className="actions start">
        <button type="button" data-testid="face-exception-open" onClick={() => setOpen(true)}>{t('faceException.open')}</button>
      </div>
    );
  }
  return (
    <EvidenceForm subject="person" testId="face-exception" heading={t('faceException.heading')} reasons={REASONS}
      label={(reason) => t(`faceException.reasons.${reason}`)} photoOptional={(reason) => reason === 'no-camera'}
      recordLabel={t('faceException.record')}
      onRecord={(evidence) => client.call('enrollment.recordFaceException', evidence).then(onChange)}
      onCancel={() => setOpen(false)} />
  );
}
