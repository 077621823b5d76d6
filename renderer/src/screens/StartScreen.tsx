// The first thing a person sees: enroll a person, register a company, or staff login.
import { useTranslation } from 'react-i18next';

export type StartChoice = 'person' | 'company' | 'staff';

export function StartScreen({ onChoose }: { onChoose(choice: StartChoice): void }) {
  const { t } = useTranslation();
  const choices: Array<[StartChoice, string, string]> = [
    ['person', 'start.enrollPerson', 'start.enrollPersonHint'],
    ['company', 'start.registerCompany', 'start.registerCompanyHint'],
    ['staff', 'start.staffLogin', 'start.staffLoginHint'],
  ];
  return (
    <main className="screen start" data-testid="start-screen">
      <h1>{t('start.heading')}</h1>
      <p className="lead">{t('start.subheading')}</p>
      <div className="choices">
        {choices.map(([choice, label, hint]) => (
          <button key={choice} type="button" className="choice" data-testid={`start-${choice}`} onClick={() => onChoose(choice)}>
            <span className="choice-label">{t(label)}</span>
            <span className="choice-hint">{t(hint)}</span>
          </button>
        ))}
      </div>
    </main>
  );
}
