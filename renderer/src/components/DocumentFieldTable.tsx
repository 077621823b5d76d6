// A document's fields as read, each with its check (a failed check digit or date marked), in
// the screen's language: the document step's reading and the technician's reader test.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DocumentField } from '../../../main/rpc/contract';

export function DocumentFieldTable({ fields }: { fields: readonly z.infer<typeof DocumentField>[] }) {
  const { t } = useTranslation();
  return (
    <table className="fields">
      <tbody>
        {fields.map((field) => (
          <tr key={field.name} className={field.ok ? 'field-ok' : 'field-problem'} data-testid={`field-${field.name}`} data-ok={field.ok}>
            <th scope="row">{t(`document.fields.${field.name}`, { defaultValue: field.name })}</th>
            <td>{field.value || '—'}</td>
            <td className="field-check">{field.ok ? '✓' : <span>✗ {t('document.checkFailed')}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
