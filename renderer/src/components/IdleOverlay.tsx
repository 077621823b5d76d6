// The visible countdown before an idle session ends; touching "I'm still here" (or
// anywhere) keeps the session.
import { useTranslation } from 'react-i18next';

export function IdleOverlay({ secondsLeft, onStay }: { secondsLeft: number; onStay(): void }) {
  const { t } = useTranslation();
  return (
    <div className="overlay" role="alertdialog" aria-labelledby="idle-heading" data-testid="idle-overlay">
      <div className="dialog">
        <h2 id="idle-heading">{t('idle.heading')}</h2>
        <p className="countdown" data-testid="idle-countdown">{t('idle.countdown', { seconds: secondsLeft })}</p>
        <button type="button" className="primary" onClick={onStay}>{t('idle.stay')}</button>
      </div>
    </div>
  );
}
