// The first thing a person sees: enroll a person, register a company, or staff login. When
// the kiosk cannot finish an enrollment (not provisioned, too many held for review) it says so
// here and offers only the staff login, instead of letting a person start in vain.
import { useTranslation } from 'react-i18next';
import { EnrollmentBlockNotice } from '../components/EnrollmentBlockNotice';
import { useSystemStatus } from '../hooks/useSystemStatus';

export type StartChoice = 'person' | 'company' | 'staff';

export function StartScreen({ onChoose }: { onChoose(choice: StartChoice): void }) {
  const { t } = useTranslation();
  const blocked = useSystemStatus()?.enrollmentBlocked ?? null;
  const choices: Array<[StartChoice, string, string]> = [
    ['person', 'start.enrollPerson', 'start.enrollPersonHint'],
    ['company', 'start.registerCompany', 'start.registerCompanyHint'],
    ['staff', 'start.staffLogin', 'start.staffLoginHint'],
  ];
  return (
    <main className="screen start" data-testid="start-screen">
      <h1>{t('start.heading')}</h1>
      <p className="lead">{t('start.subheading')}</p>
      <EnrollmentBlockNotice blocked={blocked} />
      <div className="choices">
        {/* When no enrollment can start, what still works comes first. */}
        {(blocked ? [...choices].reverse() : choices).map(([choice, label, hint]) => (
          <button key={choice} type="button" className="choice" data-testid={`start-${choice}`}
            disabled={choice !== 'staff' && blocked !== null} onClick={() => onChoose(choice)}>
            <span className="choice-label">{t(label)}</span>
            <span className="choice-hint">{t(hint)}</span>
          </button>
        ))}
      </div>
    </main>
  );
}
