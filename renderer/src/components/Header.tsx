// The band at the top of every screen: the product name, a plain "simulated devices"
// badge when the kiosk runs on simulators, and the language switch.
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n/i18n';

export function Header({ simulated }: { simulated: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <header className="header">
      <span className="brand">{t('app.title')}</span>
      {simulated && <span className="badge" data-testid="simulated-badge">{t('app.simulated')}</span>}
      <nav className="languages" aria-label={t('language.label')}>
        {LANGUAGES.map(({ code, label }) => (
          <button key={code} type="button" lang={code} aria-pressed={i18n.language === code}
            data-testid={`lang-${code}`} onClick={() => setLanguage(code)}>
            {label}
          </button>
        ))}
      </nav>
    </header>
  );
}
