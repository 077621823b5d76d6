// The operators panel of supervisors and technicians: every operator with their role, state,
// wrong PINs of the last 24 hours and the login finger they enrolled; the PIN waits in force
// for them and for the kiosk; and what the viewer may do to each: clear a PIN wait, reset a PIN
// (typed twice), change a role (technicians), remove a login finger, disable. The buttons shown
// follow the kiosk's rules (main/auth/operator-management.ts), which it checks again.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator, PinFailures } from '../../../main/rpc/contract';
import type { Role } from '../../../main/rpc/define';
import type { OperatorEntry } from '../../../main/rpc/procedures/operators';
import { useAction } from '../hooks/useAction';
import { useDateFormat } from '../hooks/useDateFormat';
import { useKiosk } from '../kiosk-context';
import { Dialog } from './Dialog';
import { ErrorText } from './ErrorText';
import { PinDialog } from './PinDialog';

type OperatorView = z.infer<typeof Operator>;
type Entry = z.infer<typeof OperatorEntry>;
type PinFailureView = z.infer<typeof PinFailures>;

const PIN_FAILURES_REFRESH_MS = 15_000;
const ROLES: readonly Role[] = ['officer', 'supervisor', 'technician'];

/** What the viewer may do to `op`, as the kiosk's rules say. */
function rightsOver(self: OperatorView, op: Entry) {
  const other = op.id !== self.id;
  const within = self.role === 'technician' || op.role === 'officer';
  return {
    resetPin: other && within,
    setRole: other && self.role === 'technician',
    removeFinger: op.loginFinger !== null && (within || !other),
    disable: other && within && !op.disabled,
  };
}

type Open = { kind: 'pin' | 'role' | 'finger'; op: Entry } | null;

export function OperatorsPanel({ self }: { self: OperatorView }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { time, dateTime } = useDateFormat();
  const [operators, setOperators] = useState<Entry[]>([]);
  const [pinFailures, setPinFailures] = useState<PinFailureView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Open>(null);
  /** What the last change did, kept as key and values so a change of language re-words it. */
  const [notice, setNotice] = useState<{ key: string; values: Record<string, string> } | null>(null);

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
  /** A dialog's change is done: close it, say what happened, show the list as it is now. */
  const done = (key: string, values: Record<string, string>) => {
    setOpen(null);
    setNotice({ key, values });
    refresh();
  };

  return (
    <section className="panel" data-testid="operators-panel">
      <h2>{t('staff.operators')}</h2>
      {pinFailures && <StationPinFailures station={pinFailures.station} />}
      <ul className="operator-list">
        {operators.map((op) => {
          const failures = failuresOf.get(op.id);
          const may = rightsOver(self, op);
          return (
            <li key={op.id} data-testid={`operator-${op.id}`}>
              <span className="operator-name">{op.name}</span>
              <span>{t(`roles.${op.role}`)}</span>
              <span className="operator-state">
                {op.disabled ? t('staff.disabled') : op.lockedUntil ? <span className="pin-wait">{t('staff.lockedUntil', { time: time(op.lockedUntil) })}</span> : null}
                {failures && failures.failures > 0 && failures.lastFailedAt && (
                  <span data-testid="operator-wrong-pins" data-count={failures.failures}>
                    {t('staff.wrongPins', { count: failures.failures, time: dateTime(failures.lastFailedAt) })}
                  </span>
                )}
                <span className="login-finger" data-testid="operator-login-finger" data-position={op.loginFinger?.position ?? ''}>
                  {op.loginFinger
                    ? t('operators.loginFinger', { finger: t(`fingerprint.fingers.${op.loginFinger.position}`), time: dateTime(op.loginFinger.enrolledAt) })
                    : t('operators.noLoginFinger')}
                </span>
              </span>
              <span className="row-actions">
                {(op.lockedUntil || (failures?.inARow ?? 0) > 0) && <button type="button" onClick={() => act(client.call('operators.unlock', { id: op.id }))}>{t('staff.unlock')}</button>}
                {may.resetPin && <button type="button" data-testid="operator-reset-pin" onClick={() => setOpen({ kind: 'pin', op })}>{t('operators.resetPin')}</button>}
                {may.setRole && <button type="button" data-testid="operator-set-role" onClick={() => setOpen({ kind: 'role', op })}>{t('operators.changeRole')}</button>}
                {may.removeFinger && <button type="button" data-testid="operator-remove-finger" onClick={() => setOpen({ kind: 'finger', op })}>{t('operators.removeFinger')}</button>}
                {may.disable && <button type="button" onClick={() => act(client.call('operators.disable', { id: op.id }))}>{t('staff.disable')}</button>}
              </span>
            </li>
          );
        })}
      </ul>
      {notice && <p className="notice" role="status" data-testid="operators-notice">{t(notice.key, notice.values)}</p>}
      {self.role === 'technician' && <AddOperatorForm onCreated={refresh} onError={setError} />}
      <ErrorText error={error} />
      {open?.kind === 'pin' && (
        <PinDialog heading={t('operators.pinDialog.resetHeading', { name: open.op.name })} intro={t('operators.pinDialog.resetBody', { name: open.op.name })}
          askCurrent={false} onClose={() => setOpen(null)}
          onSave={({ pin }) => client.call('operators.resetPin', { id: open.op.id, pin })
            .then(() => done('operators.pinDialog.done', { name: open.op.name }))} />
      )}
      {open?.kind === 'role' && <RoleDialog op={open.op} onClose={() => setOpen(null)} onDone={done} />}
      {open?.kind === 'finger' && <RemoveFingerDialog op={open.op} onClose={() => setOpen(null)} onDone={done} />}
    </section>
  );
}

function AddOperatorForm({ onCreated, onError }: { onCreated(): void; onError(error: unknown): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('officer');
  const [pin, setPin] = useState('');
  const create = (event: FormEvent) => {
    event.preventDefault();
    client.call('operators.create', { name, role, pin }).then(() => {
      setName('');
      setPin('');
      onError(null);
      onCreated();
    }, onError);
  };
  return (
    <form className="form inline" onSubmit={create} data-testid="add-operator" noValidate>
      <h3>{t('staff.addOperator')}</h3>
      <label>{t('login.name')}<input name="newName" value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <label>{t('staff.role')}
        <select name="newRole" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </select>
      </label>
      <label>{t('login.pin')}<input name="newPin" type="password" autoComplete="new-password" minLength={6} value={pin} onChange={(e) => setPin(e.target.value)} required /></label>
      <button type="submit" className="primary">{t('staff.create')}</button>
    </form>
  );
}

type Done = (key: string, values: Record<string, string>) => void;

/** A technician picks another operator's new role; the kiosk logs that operator out everywhere. */
function RoleDialog({ op, onClose, onDone }: { op: Entry; onClose(): void; onDone: Done }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(op.role);
  const { busy, error, run } = useAction();
  const save = () => run(() => client.call('operators.setRole', { id: op.id, role })
    .then(() => onDone('operators.roleDialog.done', { name: op.name, role: t(`roles.${role}`) })));
  return (
    <Dialog heading={t('operators.roleDialog.heading', { name: op.name })} testId="role-dialog" actions={(
      <>
        <button type="button" onClick={onClose}>{t('operators.cancel')}</button>
        <button type="button" className="primary" disabled={busy || role === op.role} data-testid="role-dialog-save" onClick={() => void save()}>
          {t('operators.roleDialog.save')}
        </button>
      </>
    )}>
      <div className="role-choices" role="group" aria-label={t('staff.role')}>
        {ROLES.map((choice) => (
          <button key={choice} type="button" aria-pressed={choice === role} data-testid={`role-${choice}`} onClick={() => setRole(choice)}>
            {t(`roles.${choice}`)}
          </button>
        ))}
      </div>
      <p>{t('operators.roleDialog.body', { name: op.name })}</p>
      <ErrorText error={error} />
    </Dialog>
  );
}

/** Asks before an operator's login finger is removed, and says whether the scanner has forgotten it yet. */
function RemoveFingerDialog({ op, onClose, onDone }: { op: Entry; onClose(): void; onDone: Done }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { busy, error, run } = useAction();
  const finger = t(`fingerprint.fingers.${op.loginFinger?.position ?? 2}`);
  const remove = () => run(() => client.call('operators.removeFinger', { id: op.id })
    .then(({ clearedOnScanner }) => onDone(clearedOnScanner ? 'operators.fingerDialog.removed' : 'operators.fingerDialog.pending', { name: op.name })));
  return (
    <Dialog heading={t('operators.fingerDialog.heading', { name: op.name })} testId="finger-dialog" actions={(
      <>
        <button type="button" onClick={onClose}>{t('operators.cancel')}</button>
        <button type="button" className="danger" disabled={busy} data-testid="finger-dialog-confirm" onClick={() => void remove()}>
          {t('operators.fingerDialog.confirm')}
        </button>
      </>
    )}>
      <p>{t('operators.fingerDialog.body', { name: op.name, finger })}</p>
      <ErrorText error={error} />
    </Dialog>
  );
}

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

/** Any operator changes their own PIN, giving the current one. */
export function ChangeOwnPinButton() {
  const client = useKiosk();
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [changed, setChanged] = useState(false);
  return (
    <>
      {changed && <span className="notice" role="status" data-testid="own-pin-changed">{t('operators.pinDialog.ownDone')}</span>}
      <button type="button" data-testid="change-own-pin" onClick={() => { setChanged(false); setOpen(true); }}>{t('operators.changeOwnPin')}</button>
      {open && (
        <PinDialog heading={t('operators.pinDialog.ownHeading')} intro={t('operators.pinDialog.ownBody')} askCurrent onClose={() => setOpen(false)}
          onSave={({ pin, currentPin }) => client.call('operators.changeOwnPin', { currentPin, pin }).then(() => { setOpen(false); setChanged(true); })} />
      )}
    </>
  );
}
