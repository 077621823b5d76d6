// The fields of a device family's settings, laid out from its JSON Schema: a text or number
// input, a yes/no box, a choice, a group or one of several shapes (the MRZ framing) each as
// they come. Labels, hints and choices are translated by the family's kind and the field's
// name (the schema's English titles never reach the screen); a field the caller knows better
// (the serial port, the chip reader, a module password) is drawn by the caller's `widget`.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { pathKey, type FieldProblem, type FormValues, type SettingsField } from './settings-form-model';

export interface SettingsFormProps {
  kind: string;
  fields: readonly SettingsField[];
  values: FormValues;
  problems: ReadonlyMap<string, FieldProblem>;
  onChange(values: FormValues): void;
  /** A field's own input (e.g. the port picker), or null for the generated one. */
  widget?(field: SettingsField, value: string, set: (value: string) => void): ReactNode | null;
}

export function SettingsForm({ kind, fields, values, problems, onChange, widget }: SettingsFormProps) {
  return (
    <div className="settings-form" data-testid={`settings-form-${kind}`}>
      {fields.map((field) => (
        <FieldInput key={field.name} kind={kind} field={field} values={values} problems={problems} widget={widget}
          onChange={onChange} />
      ))}
    </div>
  );
}

function FieldInput({ kind, field, values, problems, onChange, widget }: Omit<SettingsFormProps, 'fields'> & { field: SettingsField }) {
  const { t } = useTranslation();
  const label = t(`devices.fields.${kind}.${field.name}.label`);
  const hint = t(`devices.fields.${kind}.${field.name}.hint`);
  const key = pathKey(field.path);
  const problem = problems.get(key);
  const value = values[field.name];
  const set = (next: string | boolean | FormValues) => onChange({ ...values, [field.name]: next });
  const inner = typeof value === 'object' ? value : {};

  if (field.type === 'group' || field.type === 'variants') {
    const chosen = field.type === 'variants'
      ? field.variants.find((variant) => variant.value === inner[field.discriminator]) ?? field.variants[0]!
      : null;
    return (
      <fieldset className="settings-group" data-testid={`setting-${key}`}>
        <legend>{label}</legend>
        <p className="field-hint">{hint}</p>
        {field.type === 'variants' && (
          <div className="choice-row" role="radiogroup" aria-label={label}>
            {field.variants.map((variant) => (
              <button key={variant.value} type="button" role="radio" aria-checked={variant.value === chosen?.value}
                aria-pressed={variant.value === chosen?.value} data-testid={`setting-${key}-${variant.value}`}
                onClick={() => set({ ...inner, [field.discriminator]: variant.value })}>
                {t(`devices.values.${field.name}.${variant.value}`)}
              </button>
            ))}
          </div>
        )}
        <SettingsForm kind={kind} fields={chosen ? chosen.fields : field.type === 'group' ? field.fields : []} values={inner}
          problems={problems} widget={widget} onChange={(next) => set(field.type === 'variants' ? { ...next, [field.discriminator]: chosen!.value } : next)} />
        <FieldProblemText problem={problem} />
      </fieldset>
    );
  }

  if (field.type === 'boolean') {
    return (
      <label className="setting-check" data-testid={`setting-${key}`}>
        <input type="checkbox" name={key} checked={value === true} onChange={(event) => set(event.target.checked)} />
        <span>{label}<span className="field-hint">{hint}</span></span>
      </label>
    );
  }

  const text = typeof value === 'string' ? value : '';
  const own = widget?.(field, text, set);
  return (
    <div className="setting" data-testid={`setting-${key}`} data-invalid={problem ? 'true' : undefined}>
      {own ?? (
        <label>
          {label}
          {field.type === 'choice' ? (
            <select name={key} value={text} aria-invalid={problem ? true : undefined} onChange={(event) => set(event.target.value)}>
              {field.options.map((option) => <option key={option} value={option}>{t(`devices.values.${field.name}.${option}`)}</option>)}
            </select>
          ) : (
            <input name={key} value={text} aria-invalid={problem ? true : undefined} autoComplete="off" spellCheck={false}
              inputMode={field.type === 'integer' ? 'numeric' : undefined} onChange={(event) => set(event.target.value)} />
          )}
        </label>
      )}
      <p className="field-hint">{hint}</p>
      <FieldProblemText problem={problem} />
    </div>
  );
}

export function FieldProblemText({ problem }: { problem: FieldProblem | undefined }) {
  const { t } = useTranslation();
  if (!problem) return null;
  return (
    <p className="error field-problem-text" role="alert" data-testid="field-problem" data-code={problem.code}>
      {t(`devices.form.problems.${problem.code}`, 'limit' in problem ? { limit: problem.limit } : {})}
    </p>
  );
}
