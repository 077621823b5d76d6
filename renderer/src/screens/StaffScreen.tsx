// What a logged-in operator can do from here: officers start enrollments (unless the kiosk
// cannot finish one, which it says); officers and supervisors enroll their login finger;
// officers follow today's records of their own, supervisors everyone's, and print slips again;
// supervisors decide held enrollments in their review queue; supervisors and technicians
// manage operators (with the wrong PINs of the last 24 hours, per operator and for the kiosk,
// and the PIN waits in force), watch sync and verify the audit log; technicians register the kiosk;
// everyone can log out.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { AuditVerification, Operator, PinFailures } from '../../../main/rpc/contract';
import type { Role } from '../../../main/rpc/define';
import { ErrorText } from '../components/ErrorText';
import { OperatorFingerPanel } from '../components/OperatorFingerPanel';
import { EnrollmentBlockNotice } from '../components/EnrollmentBlockNotice';
import { ProvisioningPanel } from '../components/ProvisioningPanel';
import { RecordsPanel } from '../components/RecordsPanel';
import { ReviewQueuePanel } from '../components/ReviewQueuePanel';
import { SyncPanel } from '../components/SyncPanel';
import { useDateFormat } from '../hooks/useDateFormat';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type OperatorView = z.infer<typeof Operator>;
type PinFailureView = z.infer<typeof PinFailures>;
const ROLE_CHOICES: Role[] = ['officer', 'supervisor', 'technician'];

export function StaffScreen({ operator, onLogout, onEnroll }: {
  operator: OperatorView;
  onLogout(): void;
  onEnroll(): void;
}) {
  const { t } = useTranslation();
  const manages = operator.role !== 'officer';
  const blocked = useSystemStatus()?.enrollmentBlocked ?? null;
  // While a supervisor reviews a held enrollment, the rest of the screen steps aside.
  const [reviewing, setReviewing] = useState(false);
  const rest = !reviewing;
  return (
    <main className="screen staff" data-testid="staff-screen">
      {rest && (
        <div className="staff-top">
          <h1 data-testid="signed-in-as">{t('staff.signedInAs', { name: operator.name, role: t(`roles.${operator.role}`) })}</h1>
          <button type="button" data-testid="logout" onClick={onLogout}>{t('staff.logout')}</button>
        </div>
      )}
      {rest && operator.role !== 'technician' && <EnrollmentBlockNotice blocked={blocked} />}
      {rest && operator.role !== 'technician' && (
        <button type="button" className="choice" data-testid="staff-enroll" disabled={blocked !== null} onClick={onEnroll}>
          <span className="choice-label">{t('staff.startEnrollment')}</span>
        </button>
      )}
      {operator.role === 'supervisor' && <ReviewQueuePanel supervisor={operator} onReviewing={setReviewing} />}
      {rest && operator.role !== 'technician' && <RecordsPanel operator={operator} />}
      {rest && operator.role !== 'technician' && <OperatorFingerPanel operator={operator} />}
      {rest && manages && <OperatorPanel self={operator} />}
      {rest && manages && <SyncPanel supervisor={operator.role === 'supervisor'} />}
      {rest && operator.role === 'technician' && <ProvisioningPanel />}
      {rest && manages && <AuditPanel />}
    </main>
  );
}

function OperatorPanel({ self }: { self: OperatorView }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { time, dateTime } = useDateFormat();
  const [operators, setOperators] = useState<OperatorView[]>([]);
  const [pinFailures, setPinFailures] = useState<PinFailureView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('officer');
  const [pin, setPin] = useState('');

  const refresh = useCallback(() => {
    client.call('operators.list', {}).then(setOperators, setError);
    client.call('operators.pinFailures', {}).then(setPinFailures, setError);
  }, [client]);
  useEffect(() => {
    refresh();
    // Wrong PINs keep coming while a supervisor watches: look again now and then.
    const timer = setInterval(refresh, PIN_FAILURES_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  const failuresOf = new Map(pinFailures?.operators.map((entry) => [entry.operatorId, entry]));

  const act = (work: Promise<unknown>) => work.then(() => { setError(null); refresh(); }, setError);
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(client.call('operators.create', { name, role, pin }).then(() => { setName(''); setPin(''); }));
  };

  return (
    <section className="panel" data-testid="operators-panel">
      <h2>{t('staff.operators')}</h2>
      {pinFailures && <StationPinFailures station={pinFailures.station} />}
      <ul className="operator-list">
        {operators.map((op) => {
          const failures = failuresOf.get(op.id);
          return (
            <li key={op.id} data-testid={`operator-${op.id}`}>
              <span>{op.name}</span>
              <span>{t(`roles.${op.role}`)}</span>
              <span className="operator-state">
                {op.disabled ? t('staff.disabled') : op.lockedUntil ? <span className="pin-wait">{t('staff.lockedUntil', { time: time(op.lockedUntil) })}</span> : null}
                {failures && failures.failures > 0 && failures.lastFailedAt && (
                  <span data-testid="operator-wrong-pins" data-count={failures.failures}>
                    {t('staff.wrongPins', { count: failures.failures, time: dateTime(failures.lastFailedAt) })}
                  </span>
                )}
              </span>
              <span className="row-actions">
                {(op.lockedUntil || (failures?.inARow ?? 0) > 0) && <button type="button" onClick={() => act(client.call('operators.unlock', { id: op.id }))}>{t('staff.unlock')}</button>}
                {!op.disabled && op.id !== self.id && (self.role === 'technician' || op.role === 'officer') && (
                  <button type="button" onClick={() => act(client.call('operators.disable', { id: op.id }))}>{t('staff.disable')}</button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
      {self.role === 'technician' && (
        <form className="form inline" onSubmit={create} data-testid="add-operator" noValidate>
          <h3>{t('staff.addOperator')}</h3>
          <label>{t('login.name')}<input name="newName" value={name} onChange={(e) => setName(e.target.value)} required /></label>
          <label>{t('staff.role')}
            <select name="newRole" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLE_CHOICES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
            </select>
          </label>
          <label>{t('login.pin')}<input name="newPin" type="password" autoComplete="new-password" minLength={6} value={pin} onChange={(e) => setPin(e.target.value)} required /></label>
          <button type="submit" className="primary">{t('staff.create')}</button>
        </form>
      )}
      <ErrorText error={error} />
    </section>
  );
}

const PIN_FAILURES_REFRESH_MS = 15_000;

/** The kiosk's wrong PINs of the last 24 hours, over all names, and the wait every PIN attempt is under. */
function StationPinFailures({ station }: { station: PinFailureView['station'] }) {
  const { t } = useTranslation();
  const { time, dateTime } = useDateFormat();
  const unknown = station.unknownNames > 0;
  return (
    <div className="station-pins" data-testid="station-pin-failures" data-count={station.failures}>
      <p>
        {station.failures > 0 && station.lastFailedAt
          ? t(unknown ? 'staff.stationPinsUnknown' : 'staff.stationPins',
            { count: station.failures, unknown: station.unknownNames, time: dateTime(station.lastFailedAt) })
          : t('staff.stationNone')}
      </p>
      {station.waitUntil && <p className="pin-wait" data-testid="station-pin-wait">{t('staff.stationWait', { time: time(station.waitUntil) })}</p>}
    </div>
  );
}

function AuditPanel() {
  const client = useKiosk();
  const { t } = useTranslation();
  // The verification itself is kept, not its sentence, so a change of language re-words it.
  const [result, setResult] = useState<z.infer<typeof AuditVerification> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const verify = () => client.call('audit.verify', {}).then(setResult, setError);
  return (
    <section className="panel" data-testid="audit-panel">
      <h2>{t('staff.audit')}</h2>
      <button type="button" onClick={() => void verify()} data-testid="audit-verify">{t('staff.auditVerify')}</button>
      {result && (
        <p data-testid="audit-result" data-ok={result.ok}>
          {result.ok || !result.firstBroken
            ? t('staff.auditOk', { count: result.entries })
            : t('staff.auditBroken', { seq: result.firstBroken.seq })}
        </p>
      )}
      <ErrorText error={error} />
    </section>
  );
}
