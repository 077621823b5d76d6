// What a logged-in operator can do from here: officers start enrollments (unless the kiosk
// cannot finish one, which it says); officers and supervisors enroll their login finger;
// officers follow today's records of their own, supervisors everyone's, and print slips again;
// supervisors decide held enrollments in their review queue; supervisors and technicians
// manage operators (components/OperatorsPanel.tsx) and watch sync, and read the audit log in
// its own section; technicians register the kiosk; everyone can change their PIN and log out.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import type { Role } from '../../../main/rpc/define';
import { AuditLogPanel } from '../components/AuditLogPanel';
import { DeviceSetupPanel } from '../components/devices/DeviceSetupPanel';
import { DiagnosticsPanel } from '../components/DiagnosticsPanel';
import { OperatorFingerPanel } from '../components/OperatorFingerPanel';
import { ChangeOwnPinButton, OperatorsPanel } from '../components/OperatorsPanel';
import { EnrollmentBlockNotice } from '../components/EnrollmentBlockNotice';
import { ProvisioningPanel } from '../components/ProvisioningPanel';
import { RecordsPanel } from '../components/RecordsPanel';
import { ReviewQueuePanel } from '../components/ReviewQueuePanel';
import { StationSettingsPanel } from '../components/StationSettingsPanel';
import { SyncPanel } from '../components/SyncPanel';
import { useSystemStatus } from '../hooks/useSystemStatus';

type OperatorView = z.infer<typeof Operator>;

/** A part of the staff screen with its own tab; the overview holds the daily work. */
interface StaffSection {
  id: string;
  roles: readonly Role[];
  render(operator: OperatorView): ReactNode;
}

/** The tabs after the overview, for the roles that use them (a role with none sees no tab bar). */
const SECTIONS: readonly StaffSection[] = [
  { id: 'devices', roles: ['technician'], render: () => <DeviceSetupPanel /> },
  { id: 'audit', roles: ['supervisor', 'technician'], render: () => <AuditLogPanel /> },
  { id: 'settings', roles: ['technician'], render: () => <StationSettingsPanel /> },
  { id: 'diagnostics', roles: ['technician'], render: () => <DiagnosticsPanel /> },
];

export function StaffScreen({ operator, onLogout, onEnroll }: {
  operator: OperatorView;
  onLogout(): void;
  onEnroll(): void;
}) {
  const { t } = useTranslation();
  const sections = SECTIONS.filter((section) => section.roles.includes(operator.role));
  const [sectionId, setSectionId] = useState('overview');
  // While a supervisor reviews a held enrollment, the rest of the screen steps aside.
  const [reviewing, setReviewing] = useState(false);
  const section = sections.find((candidate) => candidate.id === sectionId);
  return (
    <main className="screen staff" data-testid="staff-screen">
      {!reviewing && (
        <div className="staff-top">
          <h1 data-testid="signed-in-as">{t('staff.signedInAs', { name: operator.name, role: t(`roles.${operator.role}`) })}</h1>
          <span className="staff-top-actions">
            <ChangeOwnPinButton />
            <button type="button" data-testid="logout" onClick={onLogout}>{t('staff.logout')}</button>
          </span>
        </div>
      )}
      {!reviewing && sections.length > 0 && (
        <nav className="staff-nav" role="tablist" data-testid="staff-nav">
          {[{ id: 'overview' }, ...sections].map(({ id }) => (
            <button key={id} type="button" role="tab" aria-selected={id === (section?.id ?? 'overview')} data-testid={`staff-tab-${id}`}
              onClick={() => setSectionId(id)}>{t(`staff.sections.${id}`)}</button>
          ))}
        </nav>
      )}
      {section ? section.render(operator) : <StaffOverview operator={operator} onEnroll={onEnroll} reviewing={reviewing} onReviewing={setReviewing} />}
    </main>
  );
}

/** The daily work: enrollments, the review queue, records, the login finger, operators, sync, provisioning. */
function StaffOverview({ operator, onEnroll, reviewing, onReviewing }: {
  operator: OperatorView;
  onEnroll(): void;
  reviewing: boolean;
  onReviewing(reviewing: boolean): void;
}) {
  const { t } = useTranslation();
  const manages = operator.role !== 'officer';
  const blocked = useSystemStatus()?.enrollmentBlocked ?? null;
  const rest = !reviewing;
  return (
    <>
      {rest && operator.role !== 'technician' && <EnrollmentBlockNotice blocked={blocked} />}
      {rest && operator.role !== 'technician' && (
        <button type="button" className="choice" data-testid="staff-enroll" disabled={blocked !== null} onClick={onEnroll}>
          <span className="choice-label">{t('staff.startEnrollment')}</span>
        </button>
      )}
      {operator.role === 'supervisor' && <ReviewQueuePanel supervisor={operator} onReviewing={onReviewing} />}
      {rest && operator.role !== 'technician' && <RecordsPanel operator={operator} />}
      {rest && operator.role !== 'technician' && <OperatorFingerPanel operator={operator} />}
      {rest && manages && <OperatorsPanel self={operator} />}
      {rest && manages && <SyncPanel supervisor={operator.role === 'supervisor'} />}
      {rest && operator.role === 'technician' && <ProvisioningPanel />}
    </>
  );
}

