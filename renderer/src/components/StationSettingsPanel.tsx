// The technician's station settings: each setting with its value, what it may be and what it
// does; second approvals explained (the mandatory reasons no setting switches off, and the rules a
// station may add); saved together, a refused value shown at its own field, and what changed
// confirmed. Bounds and choices come from the kiosk (`settings.get`), never copied here.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Settings } from '../../../main/rpc/contract';
import type { SettingField, StationSettingsView } from '../../../main/rpc/procedures/settings';
import { LANGUAGES } from '../i18n/i18n';
import { useAction } from '../hooks/useAction';
import { useKiosk } from '../kiosk-context';
import { RpcError } from '../rpc/client';
import { ErrorText } from './ErrorText';

type View = z.infer<typeof StationSettingsView>;
type Values = z.infer<typeof Settings>;
type Key = keyof Values;
type Field = z.infer<typeof SettingField>;
/** What the form holds: numbers and text as typed, choices as chosen. */
type Draft = Record<Key, string | string[]>;
type Change = { key: Key; old: unknown; new: unknown };
/** A field's refusal: a translation key with its values. */
type FieldProblem = { key: string; values?: Record<string, unknown> };

const GROUPS: ReadonlyArray<{ id: string; keys: readonly Key[] }> = [
  { id: 'session', keys: ['idleTimeoutSeconds', 'idleWarningSeconds', 'defaultLanguage'] },
  { id: 'approvals', keys: ['secondApprover', 'alwaysSecondApproval'] },
  { id: 'held', keys: ['heldEnrollmentLimit', 'heldEnrollmentMaxAgeHours'] },
  { id: 'retention', keys: ['sealedRetentionHours'] },
  { id: 'slips', keys: ['slipPrinter', 'slipFolder'] },
];
const UNITS: Partial<Record<Key, 'seconds' | 'hours'>> = {
  idleTimeoutSeconds: 'seconds', idleWarningSeconds: 'seconds', heldEnrollmentMaxAgeHours: 'hours', sealedRetentionHours: 'hours',
};

const draftOf = (values: Values): Draft => Object.fromEntries(Object.entries(values).map(([key, value]) =>
  [key, Array.isArray(value) ? value : value === null ? '' : String(value)])) as Draft;

/** The draft's values that differ from the saved ones, or the fields whose text is no whole number. */
function changesOf(fields: readonly Field[], draft: Draft, saved: Values): { changes: Partial<Values>; problems: Partial<Record<Key, FieldProblem>> } {
  const changes: Record<string, unknown> = {};
  const problems: Partial<Record<Key, FieldProblem>> = {};
  for (const field of fields) {
    const key = field.key as Key;
    const typed = draft[key];
    let value: unknown = typed;
    if (field.type === 'integer') {
      const text = String(typed).trim();
      if (!/^\d+$/.test(text)) {
        problems[key] = { key: 'settings.invalidNumber', values: { min: field.min, max: field.max } };
        continue;
      }
      value = Number(text);
    } else if (field.type === 'text') {
      value = String(typed).trim() === '' ? null : String(typed).trim();
    }
    if (JSON.stringify(value) !== JSON.stringify(saved[key])) changes[key] = value;
  }
  return { changes: changes as Partial<Values>, problems };
}

/** Where the kiosk refused the change: the field(s) it names, with their own message. */
function problemsOf(error: unknown, fields: readonly Field[]): Partial<Record<Key, FieldProblem>> | null {
  if (!(error instanceof RpcError)) return null;
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const messageFor = (field: Field): FieldProblem => (field.type === 'integer'
    ? { key: 'settings.invalidNumber', values: { min: field.min, max: field.max } }
    : { key: `settings.fields.${field.key}.invalid` });
  if (error.code === 'RPC_INVALID_INPUT') {
    const issues = (error.details.issues ?? []) as Array<{ path: string[] }>;
    const named = issues.flatMap(({ path }) => (path[0] && byKey.has(path[0]) ? [byKey.get(path[0])!] : []));
    return named.length === 0 ? null : Object.fromEntries(named.map((field) => [field.key, messageFor(field)]));
  }
  const key = error.details.key;
  return typeof key === 'string' && byKey.has(key) ? { [key]: { key: `errors.${error.code}` } } as Partial<Record<Key, FieldProblem>> : null;
}

export function StationSettingsPanel() {
  const client = useKiosk();
  const { t } = useTranslation();
  const [view, setView] = useState<View | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problems, setProblems] = useState<Partial<Record<Key, FieldProblem>>>({});
  const [saved, setSaved] = useState<Change[] | null>(null);
  const { busy, error, setError, run } = useAction();

  useEffect(() => {
    client.call('settings.get', {}).then((loaded) => { setView(loaded); setDraft(draftOf(loaded.settings)); }, setError);
  }, [client, setError]);

  if (!view || !draft) return <section className="panel" data-testid="settings-panel"><ErrorText error={error} /></section>;

  const shown = (key: Key, value: unknown): string => {
    if (value === null || (Array.isArray(value) && value.length === 0)) return t('settings.none');
    if (Array.isArray(value)) return value.map((item) => t(`settings.options.${key}.${String(item)}`)).join(', ');
    if (key === 'defaultLanguage') return LANGUAGES.find((language) => language.code === value)?.label ?? String(value);
    if (key === 'secondApprover') return t(`settings.options.secondApprover.${String(value)}`);
    const unit = UNITS[key];
    return unit ? t(`settings.units.${unit}`, { value }) : String(value);
  };

  const edit = (key: Key, value: string | string[]) => {
    setDraft({ ...draft, [key]: value });
    setSaved(null);
    const rest = { ...problems };
    delete rest[key];
    setProblems(rest);
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const { changes, problems: typed } = changesOf(view.fields, draft, view.settings);
    setProblems(typed);
    if (Object.keys(typed).length > 0) return;
    void run(async () => {
      const before = view.settings;
      try {
        const after = await client.call('settings.update', changes);
        setView({ ...view, settings: after });
        setDraft(draftOf(after));
        setSaved((Object.keys(changes) as Key[]).map((key) => ({ key, old: before[key], new: after[key] })));
      } catch (failure) {
        const atFields = problemsOf(failure, view.fields);
        if (!atFields) throw failure;
        setProblems(atFields);
      }
    });
  };

  const control = (field: Field): ReactNode => {
    const key = field.key as Key;
    const value = draft[key];
    const invalid = problems[key] !== undefined;
    switch (field.type) {
      case 'integer':
      case 'text':
        return (
          <input id={`setting-${key}`} data-testid={`setting-${key}`} value={String(value)} aria-invalid={invalid || undefined}
            aria-describedby={`setting-${key}-help`} inputMode={field.type === 'integer' ? 'numeric' : 'text'} autoComplete="off"
            className={field.type === 'integer' ? 'station-setting-number' : 'station-setting-text'} onChange={(e) => edit(key, e.target.value)} />
        );
      case 'choice':
        return (
          <div className="station-setting-choices" role="group" aria-labelledby={`setting-${key}-label`} data-testid={`setting-${key}`}>
            {field.options.map((option) => (
              <button key={option} type="button" aria-pressed={value === option} data-value={option} onClick={() => edit(key, option)}>
                {shown(key, option)}
              </button>
            ))}
          </div>
        );
      case 'choices': {
        const chosen = value as string[];
        return (
          <div className="station-setting-choices" role="group" aria-labelledby={`setting-${key}-label`} data-testid={`setting-${key}`}>
            {field.options.map((option) => (
              <button key={option} type="button" aria-pressed={chosen.includes(option)} data-value={option}
                onClick={() => edit(key, chosen.includes(option) ? chosen.filter((item) => item !== option) : [...chosen, option])}>
                {t(`settings.options.${key}.${option}`)}
              </button>
            ))}
          </div>
        );
      }
    }
  };

  const setting = (field: Field) => {
    const key = field.key as Key;
    const problem = problems[key];
    // A word joiner keeps "15–3600" on one line (no break after the dash).
    const bounds = field.type === 'integer' ? { min: field.min, max: `\u2060${field.max}` } : {};
    return (
      <div key={key} className="station-setting" data-invalid={problem ? true : undefined}>
        <div className="station-setting-words">
          {field.type === 'integer' || field.type === 'text'
            ? <label id={`setting-${key}-label`} htmlFor={`setting-${key}`} className="station-setting-label">{t(`settings.fields.${key}.label`)}</label>
            : <span id={`setting-${key}-label`} className="station-setting-label">{t(`settings.fields.${key}.label`)}</span>}
          <p id={`setting-${key}-help`} className="station-setting-help">{t(`settings.fields.${key}.help`, bounds)}</p>
          {key === 'sealedRetentionHours' && view.authorityRetentionHours !== null && (
            <p className="warning" data-testid="settings-authority-retention">{t('settings.authorityRetention', { hours: view.authorityRetentionHours })}</p>
          )}
        </div>
        <div className="station-setting-control">
          {control(field)}
          {problem && <p className="error" role="alert" data-testid={`setting-error-${key}`}>{t(problem.key, problem.values)}</p>}
        </div>
      </div>
    );
  };

  const fieldOf = (key: Key) => view.fields.find((field) => field.key === key);
  return (
    <section className="panel station-settings" data-testid="settings-panel">
      <h2>{t('settings.heading')}</h2>
      <p className="muted">{t('settings.lead')}</p>
      <form onSubmit={save} noValidate>
        {GROUPS.map((group) => (
          <fieldset key={group.id} className="station-settings-group" data-testid={`settings-group-${group.id}`}>
            <legend>{t(`settings.groups.${group.id}`)}</legend>
            {group.id === 'approvals' && (
              <div className="station-settings-mandatory" data-testid="settings-mandatory">
                <p>{t('settings.mandatory')}</p>
                <ul>{view.mandatorySecondApproval.map((reason) => <li key={reason}>{t(`review.reasons.${reason}`)}</li>)}</ul>
                <p className="muted">{t('settings.mandatoryNote')}</p>
              </div>
            )}
            {group.keys.flatMap((key) => { const field = fieldOf(key); return field ? [setting(field)] : []; })}
          </fieldset>
        ))}
        <div className="actions">
          <button type="button" data-testid="settings-discard" disabled={busy}
            onClick={() => { setDraft(draftOf(view.settings)); setProblems({}); setSaved(null); setError(null); }}>{t('settings.discard')}</button>
          <button type="submit" className="primary" data-testid="settings-save" disabled={busy}>{t('settings.save')}</button>
        </div>
      </form>
      {saved && (
        <div className="confirm" role="status" data-testid="settings-saved">
          {saved.length === 0 ? <p>{t('settings.unchanged')}</p> : (
            <>
              <p>{t('settings.saved')}</p>
              <ul>
                {saved.map((change) => (
                  <li key={change.key} data-testid={`settings-changed-${change.key}`}>
                    {t('settings.change', { setting: t(`settings.fields.${change.key}.label`), old: shown(change.key, change.old), new: shown(change.key, change.new) })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <ErrorText error={error} />
    </section>
  );
}
