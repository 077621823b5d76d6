// What the person at the fingerprint sensor should do now (place, lift, place again) or
// wait for (processing, the image arriving, with a progress bar), from the module's
// progress events, and a button that stops the operation; shared by the enrollment step,
// the login screen and operators' finger enrollment.
import { useTranslation } from 'react-i18next';
import type { Progress } from '../hooks/useFingerprintProgress';
import { useKiosk } from '../kiosk-context';

export function FingerprintLiveState({ progress, finger }: { progress: Progress | null; finger: string }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const state = progress?.state ?? 'place';
  const percent = progress?.upload ? Math.floor((100 * progress.upload.bytes) / progress.upload.total) : null;
  return (
    <div className={`fingerprint-live fingerprint-live-${state}`} data-testid="fingerprint-live" data-state={state} role="status">
      <p className="fingerprint-instruction">{t(`fingerprint.instruction.${state}`, { finger })}</p>
      {progress && progress.attempt > 1 && (
        <p className="fingerprint-attempt" title={progress.retryReason ?? undefined}>
          {t('fingerprint.attempt', { attempt: progress.attempt })} — {t('fingerprint.retryHint')}
        </p>
      )}
      {percent !== null && (
        <div className="upload-progress" data-testid="upload-progress">
          <progress max={100} value={percent} aria-label={t('fingerprint.instruction.uploading', { finger })} />
          <span>{percent} %</span>
        </div>
      )}
      <div className="actions start">
        <button type="button" data-testid="fingerprint-stop"
          onClick={() => void client.call('fingerprint.cancel', {}).catch(() => undefined)}>{t('fingerprint.stop')}</button>
      </div>
    </div>
  );
}
