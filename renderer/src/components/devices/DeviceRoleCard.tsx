// One job at the kiosk (document reader, chip reader, fingerprint scanner) on the technician's
// device set-up: its live state and what to do about a problem, what is set up, the technical
// detail of its last error, and set-up (family, generated settings form, port or reader
// picker), removal and a test of the device.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceSetup, TestableRole } from '../../../../main/rpc/procedures/devices';
import { useAction } from '../../hooks/useAction';
import { useDateFormat } from '../../hooks/useDateFormat';
import type { Status } from '../../hooks/useSystemStatus';
import { useKiosk } from '../../kiosk-context';
import { RpcError } from '../../rpc/client';
import { ErrorText } from '../ErrorText';
import { DeviceTestPanel } from './DeviceTestPanel';
import { ChipReaderPicker, SerialPortPicker } from './PortPickers';
import { SettingsForm } from './SettingsForm';
import {
  initialValues, pathKey, problemsFromRefusal, settingsFields, settingsFromValues, type FieldProblem, type FormValues, type JsonSchema,
} from './settings-form-model';

type Setup = z.infer<typeof DeviceSetup>;
type Role = z.infer<typeof TestableRole>;
type LiveDevice = Status['devices'][number];

/** Where each role's settings sit in the set-up view. */
export const SETUP_KEYS = { 'document-reader': 'documentReader', 'chip-reader': 'chipReader', fingerprint: 'fingerprint' } as const;

export function DeviceRoleCard({ role, setup, live, onSetup }: {
  role: Role;
  setup: Setup;
  /** The device's state as the status bar has it, kept current by the kiosk's events. */
  live: LiveDevice | undefined;
  onSetup(setup: Setup): void;
}) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const client = useKiosk();
  const [mode, setMode] = useState<'view' | 'edit' | 'test' | 'remove'>('view');
  const [saved, setSaved] = useState<'saved' | 'removed' | null>(null);
  const remove = useAction();
  const configured = setup[SETUP_KEYS[role]];
  const simulated = setup.simulated[SETUP_KEYS[role]];
  const diagnosis = setup.devices.find((device) => device.kind === role);
  const state = live?.state ?? diagnosis?.state ?? 'not-configured';
  const problem = live ? live.problem : diagnosis?.problem;
  const kind = typeof configured?.kind === 'string' ? configured.kind : null;
  const where = typeof configured?.path === 'string' ? configured.path : typeof configured?.reader === 'string' ? configured.reader : null;
  const done = (next: Setup, what: 'saved' | 'removed') => { onSetup(next); setSaved(what); setMode('view'); };

  return (
    <section className="panel device-card" data-testid={`device-card-${role}`} data-state={state} data-configured={configured !== null}>
      <h3>{t(`status.devices.${role}`)}</h3>
      <p className={`device-state device-state-${state}`} data-testid="device-state">
        {t(`status.states.${state}`)}
        {simulated && <span className="badge device-simulated">{t('devices.simulated')}</span>}
      </p>
      {/* "Not set up" is said by what is configured, just below. */}
      {problem && problem !== 'not-set-up' && <p className="warning" data-testid="device-problem" data-problem={problem}>{t(`devices.problems.${problem}`)}</p>}
      {configured && kind ? (
        <dl className="facts" data-testid="device-configured">
          <dt>{t('devices.family')}</dt><dd data-testid="device-configured-kind" data-kind={kind}>{t(`devices.families.${kind}`)}</dd>
          {where !== null && <><dt>{t('devices.connectedAt')}</dt><dd data-testid="device-configured-where">{where}</dd></>}
        </dl>
      ) : <p className="muted" data-testid="device-not-configured">{t(simulated ? 'devices.notConfiguredSimulated' : 'devices.notConfigured')}</p>}
      {diagnosis?.lastError && (
        <details className="device-technical" data-testid="device-last-error">
          <summary>{t('devices.lastError', { at: dateTime(diagnosis.lastError.at) })}</summary>
          <code>{diagnosis.lastError.code ? `${diagnosis.lastError.code}: ` : ''}{diagnosis.lastError.detail}</code>
        </details>
      )}
      {saved && mode === 'view' && <p className="verdict verdict-valid" data-testid="device-saved">{t(`devices.${saved}`)}</p>}

      {mode === 'view' && (
        <div className="actions start wrap">
          <button type="button" className={configured ? undefined : 'primary'} data-testid="device-edit" onClick={() => { setSaved(null); setMode('edit'); }}>
            {t(configured ? 'devices.change' : 'devices.setUp')}
          </button>
          {(configured || simulated) && (
            <button type="button" data-testid="device-test" onClick={() => { setSaved(null); setMode('test'); }}>{t('devices.test.start')}</button>
          )}
          {configured && (
            <button type="button" data-testid="device-remove" onClick={() => { setSaved(null); setMode('remove'); }}>{t('devices.remove')}</button>
          )}
        </div>
      )}
      {mode === 'remove' && (
        <div className="confirm" data-testid="device-remove-confirm">
          <p>{t('devices.removeConfirm')}</p>
          <div className="actions start">
            <button type="button" onClick={() => setMode('view')}>{t('devices.cancel')}</button>
            <button type="button" className="primary" data-testid="device-remove-yes" disabled={remove.busy}
              onClick={() => void remove.run(async () => done(await client.call('devices.configure', { role, settings: null }), 'removed'))}>
              {t('devices.removeYes')}
            </button>
          </div>
          <ErrorText error={remove.error} />
        </div>
      )}
      {mode === 'edit' && (
        <DeviceSettingsEditor role={role} setup={setup} onSaved={(next) => done(next, 'saved')} onCancel={() => setMode('view')} />
      )}
      {mode === 'test' && (
        <DeviceTestPanel role={role} simulated={simulated} readerKind={kind === 'cnid' ? 'cnid' : 'mrz'} onClose={() => setMode('view')} />
      )}
    </section>
  );
}

/** Choose the family, fill in its settings, save: the kiosk checks them again and uses them at once. */
function DeviceSettingsEditor({ role, setup, onSaved, onCancel }: {
  role: Role;
  setup: Setup;
  onSaved(setup: Setup): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const client = useKiosk();
  const families = setup.families.filter((family) => family.role === role);
  const stored = setup[SETUP_KEYS[role]];
  const [kind, setKind] = useState(() => (typeof stored?.kind === 'string' ? stored.kind : families[0]?.kind ?? ''));
  const family = families.find((candidate) => candidate.kind === kind);
  const fields = useMemo(() => (family ? settingsFields(family.settingsSchema as JsonSchema) : []), [family]);
  const storedHere = stored?.kind === kind ? stored : null;
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, storedHere));
  const [problems, setProblems] = useState<ReadonlyMap<string, FieldProblem>>(new Map());
  const [refused, setRefused] = useState(false);
  const save = useAction();
  const passwordSet = storedHere?.passwordSet === true;

  const chooseFamily = (next: string) => {
    const nextFamily = families.find((candidate) => candidate.kind === next);
    setKind(next);
    setValues(initialValues(nextFamily ? settingsFields(nextFamily.settingsSchema as JsonSchema) : [], stored?.kind === next ? stored : null));
    setProblems(new Map());
  };

  const submit = () => {
    const { settings, problems: found } = settingsFromValues(fields, values);
    setProblems(found);
    setRefused(false);
    if (found.size > 0) return;
    void save.run(async () => {
      try {
        onSaved(await client.call('devices.configure', { role, settings: { kind, ...settings } }));
      } catch (failure) {
        const names = failure instanceof RpcError && failure.code === 'DEVICES_SETTINGS_INVALID' && Array.isArray(failure.details.fields)
          ? failure.details.fields.map(String) : [];
        const placed = problemsFromRefusal(fields, names);
        setProblems(placed.problems);
        setRefused(placed.unplaced > 0);
        // Anything but a refusal of these settings is shown as the error it is.
        if (names.length === 0) throw failure;
      }
    });
  };

  return (
    <form className="device-editor" data-testid="device-editor" noValidate onSubmit={(event) => { event.preventDefault(); submit(); }}>
      {families.length > 1 && (
        <fieldset className="settings-group">
          <legend>{t('devices.family')}</legend>
          <div className="choice-row" role="radiogroup" aria-label={t('devices.family')}>
            {families.map((candidate) => (
              <button key={candidate.kind} type="button" role="radio" aria-checked={candidate.kind === kind} aria-pressed={candidate.kind === kind}
                data-testid={`device-family-${candidate.kind}`} onClick={() => chooseFamily(candidate.kind)}>
                {t(`devices.families.${candidate.kind}`)}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      {family && (
        <SettingsForm key={kind} kind={kind} fields={fields} values={values} problems={problems} onChange={setValues}
          widget={(field, value, set) => {
            const label = t(`devices.fields.${kind}.${field.name}.label`);
            if (field.name === 'path') {
              return <SerialPortPicker label={label} ports={setup.detected.serial} value={value} invalid={problems.has(pathKey(field.path))} onChange={set} />;
            }
            if (field.name === 'reader') return <ChipReaderPicker label={label} readers={setup.detected.chipReaders} value={value} onChange={set} />;
            if (field.name === 'password') {
              return (
                <label>
                  {label}
                  <input name="password" type="password" inputMode="numeric" autoComplete="new-password" value={value}
                    placeholder={t(passwordSet ? 'devices.passwordKept' : 'devices.passwordDefault')} onChange={(event) => set(event.target.value)} />
                </label>
              );
            }
            return null;
          }} />
      )}
      {refused && <p className="error" role="alert" data-testid="settings-refused">{t('devices.form.refused')}</p>}
      <ErrorText error={save.error} />
      <div className="actions start">
        <button type="button" data-testid="device-edit-cancel" onClick={onCancel}>{t('devices.cancel')}</button>
        <button type="submit" className="primary" data-testid="device-save" disabled={save.busy || !family}>
          {t(save.busy ? 'devices.saving' : 'devices.save')}
        </button>
      </div>
    </form>
  );
}
