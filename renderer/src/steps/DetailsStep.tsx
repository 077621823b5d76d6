// The details step: the person's address, contact and purpose of enrollment, or the company's
// particulars and the registering person's role. The kiosk checks every field; a field it
// refuses is marked with what to enter instead, in the screen's language.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Enrollment, EnrollmentDetails, Flow } from '../../../main/rpc/contract';
import { ErrorText } from '../components/ErrorText';
import { useAction } from '../hooks/useAction';
import { useKiosk } from '../kiosk-context';
import { RpcError } from '../rpc/client';
import { DETAILS_FIELDS, isShown, type DetailsField, type Values } from './details-fields';

type EnrollmentView = z.infer<typeof Enrollment>;
type DetailsInput = z.input<typeof EnrollmentDetails>;

/** The form's values: saved details (back from the review), else what the document carries (the CN resident ID's address). */
function initialValues({ details, document, flow }: EnrollmentView): Values {
  if (details) return Object.fromEntries(Object.entries(details).filter(([name, value]) => name !== 'flow' && value !== null)) as Values;
  const address = document?.fields.find((field) => field.name === 'address')?.value;
  return address && flow === 'person' ? { address } : {};
}

function detailsInput(flow: Flow, values: Values): DetailsInput {
  const entries = DETAILS_FIELDS[flow].filter((field) => isShown(field, values)).flatMap((field) => {
    const value = values[field.name] ?? '';
    return field.optional && value.trim() === '' ? [] : [[field.name, value]];
  });
  // The kiosk validates the whole object (zod); the form only collects the fields.
  return { flow, ...Object.fromEntries(entries) } as DetailsInput;
}

/** The fields a refusal names (RPC_INVALID_INPUT), to mark on the form. */
function refusedFields(error: unknown): Set<string> {
  if (!(error instanceof RpcError) || error.code !== 'RPC_INVALID_INPUT') return new Set();
  const issues = (error.details.issues ?? []) as Array<{ path: string[] }>;
  return new Set(issues.map((issue) => issue.path[0] ?? ''));
}

export function DetailsStep({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const flow = enrollment.flow;
  const [values, setValues] = useState<Values>(() => initialValues(enrollment));
  const [prefilled] = useState(() => !enrollment.details && initialValues(enrollment).address !== undefined);
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const { busy, error, run } = useAction();
  const refused = new Set([...refusedFields(error)].filter((name) => !edited.has(name)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setEdited(new Set());
    return run(async () => onChange(await client.call('enrollment.saveDetails', detailsInput(flow, values))));
  };

  return (
    <section className="step details-step" data-testid="details-step">
      <p className="lead">{t(`details.intro.${flow}`)}</p>
      {prefilled && <p className="muted" data-testid="details-prefilled">{t('details.prefilled')}</p>}
      <form className="form details-form" onSubmit={(event) => void submit(event)} noValidate>
        {DETAILS_FIELDS[flow].filter((field) => isShown(field, values)).map((field) => (
          <DetailsInputField key={field.name} field={field} value={values[field.name] ?? ''} refused={refused.has(field.name)}
            onChange={(value) => {
              setValues((current) => ({ ...current, [field.name]: value }));
              setEdited((current) => new Set(current).add(field.name));
            }} />
        ))}
        {refused.size === 0 && <ErrorText error={error} />}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} data-testid="details-continue">{t('details.continue')}</button>
        </div>
      </form>
    </section>
  );
}

function DetailsInputField({ field, value, refused, onChange }: {
  field: DetailsField;
  value: string;
  refused: boolean;
  onChange(value: string): void;
}) {
  const { t } = useTranslation();
  const common = {
    name: field.name,
    value,
    'aria-invalid': refused || undefined,
    'data-testid': `details-${field.name}`,
    onChange: (event: { target: { value: string } }) => onChange(event.target.value),
  };
  const { input } = field;
  return (
    <label>
      {t(`details.fields.${field.name}`)}{field.optional ? ` ${t('details.optional')}` : ''}
      {typeof input === 'object' ? (
        <select {...common}>
          <option value="">{t('details.choose')}</option>
          {input.values.map((choice) => <option key={choice} value={choice}>{t(`details.${input.key}.${choice}`)}</option>)}
        </select>
      ) : input === 'textarea' ? <textarea rows={3} maxLength={300} {...common} />
        : <input type={input} autoComplete="off" maxLength={input === 'email' ? 254 : 200} {...common} />}
      {refused && <span className="field-hint error" data-testid={`details-invalid-${field.name}`}>{t(`details.invalid.${field.name}`)}</span>}
    </label>
  );
}
