// The document step: how to place the document, the reader's live state, and the read
// fields for the officer to check, each problem (failed check digit, expired document)
// highlighted, then the document's chip (ChipPanel), with accept (once the chip is dealt
// with), read-again and, on simulated devices, sample documents. A chip that shows the
// document altered leaves only cancelling.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { ChipScenario, DocumentField, DocumentRead, Enrollment } from '../../../main/rpc/contract';
import { ChipPanel } from '../components/ChipPanel';
import { chipFailed, chipSettled } from '../components/chip-facts';
import { DocumentIllustration } from '../components/DocumentIllustration';
import { ErrorText } from '../components/ErrorText';
import { useKeyboardWedge } from '../hooks/useKeyboardWedge';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';

type EnrollmentView = z.infer<typeof Enrollment>;
type Read = z.infer<typeof DocumentRead>;
type Field = z.infer<typeof DocumentField>;
type ChipSample = z.infer<typeof ChipScenario> | 'none';

export function DocumentStep({ enrollment, onChange }: { enrollment: EnrollmentView; onChange(view: EnrollmentView): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const status = useSystemStatus();
  const [error, setError] = useState<unknown>(null);
  useKeyboardWedge(client, true);

  const reader = status?.devices.find((d) => d.kind === 'document-reader');
  const kind = reader?.name.includes('ID card') ? 'cnid' : 'mrz';
  const chipReader = status?.devices.find((d) => d.kind === 'chip-reader');
  const read = enrollment.pendingRead;
  const chip = read?.chip ?? null;
  const failed = chipFailed(chip);
  const act = (work: Promise<EnrollmentView>) => work.then((view) => { setError(null); onChange(view); }, setError);

  return (
    <section className={chip ? 'step document-step with-chip' : 'step document-step'} data-testid="document-step">
      <div className="document-main">
        <div className="document-instructions">
          <DocumentIllustration kind={kind} />
          <div>
            <p className="lead">{t(kind === 'cnid' ? 'document.placeCard' : 'document.placePassport')}</p>
            <p className={`reader-state device-${reader?.state ?? 'disconnected'}`} data-testid="reader-state">
              {t('document.reader')}: {reader ? t(`status.states.${reader.state}`) : '…'}
            </p>
          </div>
        </div>

        {enrollment.readFailure && !read && (
          <p className="error" role="alert" data-testid="read-failure" data-code={enrollment.readFailure.code}>
            {t('document.readFailed')}
          </p>
        )}
        {!read && !enrollment.readFailure && (
          <>
            <p className="waiting" data-testid="waiting-for-document">{t('document.waiting')}</p>
            <p className="muted">{t('document.alreadyOnReader')}</p>
          </>
        )}
        {read && <ReadResult read={read} />}
      </div>
      {/* Beside the fields on a wide screen, from the top, so what the chip needs is in view. */}
      {read && chip && <ChipPanel readId={read.readId} chip={chip} reader={chipReader} onChange={onChange} />}

      <ErrorText error={error} />
      <div className="actions">
        {read && !failed && read.valid && !read.expired && !chipSettled(chip) && (
          <p className="muted accept-hint" data-testid="chip-accept-hint">{t('document.chip.acceptBlocked')}</p>
        )}
        {read?.suggestedCorrection && !failed && (
          <button type="button" data-testid="accept-corrected" disabled={!chipSettled(chip)}
            onClick={() => act(client.call('enrollment.acceptDocument', { readId: read.readId, useCorrection: true }))}>
            {t('document.useCorrection')}
          </button>
        )}
        {(read || enrollment.readFailure) && !failed && (
          <button type="button" data-testid="read-again" onClick={() => act(client.call('enrollment.retryDocument', {}))}>
            {t('document.readAgain')}
          </button>
        )}
        {read && !failed && (
          <button type="button" className="primary" data-testid="accept-document" disabled={!read.valid || read.expired || !chipSettled(chip)}
            onClick={() => act(client.call('enrollment.acceptDocument', { readId: read.readId, useCorrection: false }))}>
            {t('document.accept')}
          </button>
        )}
      </div>
      {reader?.simulated && <SimulatorPanel kind={kind} chipSimulated={chipReader?.simulated === true} />}
    </section>
  );
}

function ReadResult({ read }: { read: Read }) {
  const { t } = useTranslation();
  const verdict = !read.valid ? 'invalid' : read.expired ? 'expired' : 'valid';
  return (
    <div className="read-result" data-testid="read-result" data-verdict={verdict}>
      <p className={`verdict verdict-${verdict}`} data-testid="read-verdict">
        {t(`document.verdict.${verdict}`, { type: t(`document.types.${read.documentType}`, { defaultValue: read.documentType }) })}
      </p>
      <FieldTable fields={read.fields} />
      {read.suggestedCorrection && (
        <div className="correction" data-testid="suggested-correction">
          <p>{t('document.correctionHint')}</p>
          <ul>
            {read.suggestedCorrection.changes.map((change, index) => (
              <li key={index}>{t(`document.fields.${change.field}`, { defaultValue: change.field })}: {change.from} → {change.to}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function FieldTable({ fields }: { fields: Field[] }) {
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

const CHIP_SAMPLES: readonly ChipSample[] = ['valid', 'altered-dg1', 'rogue-ds', 'expired-ds', 'unknown-csca', 'no-pace', 'can-only', 'removed-mid-read', 'none'];

/** Sample documents on simulated readers; with a simulated chip reader, which chip the document carries. */
function SimulatorPanel({ kind, chipSimulated }: { kind: 'mrz' | 'cnid'; chipSimulated: boolean }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [chip, setChip] = useState<ChipSample>('valid');
  const simulate = (action: 'present-document' | 'present-bad-document' | 'remove-document', sample?: 'passport' | 'id-card' | 'cnid') =>
    void client.call('devices.simulate', { action, ...(sample ? { sample } : {}), ...(chipSimulated ? { chip } : {}) }).catch(() => undefined);
  return (
    <aside className="panel simulator" data-testid="simulator-panel">
      <h3>{t('document.simulator.heading')}</h3>
      {kind === 'mrz' && chipSimulated && (
        <label className="simulator-chip">
          {t('document.simulator.chip')}{' '}
          <select data-testid="simulate-chip-scenario" value={chip} onChange={(event) => setChip(event.target.value as ChipSample)}>
            {CHIP_SAMPLES.map((sample) => <option key={sample} value={sample}>{t(`document.simulator.chips.${sample}`)}</option>)}
          </select>
        </label>
      )}
      <div className="actions start">
        {kind === 'mrz' ? (
          <>
            <button type="button" data-testid="simulate-passport" onClick={() => simulate('present-document', 'passport')}>{t('document.simulator.passport')}</button>
            <button type="button" data-testid="simulate-id-card" onClick={() => simulate('present-document', 'id-card')}>{t('document.simulator.idCard')}</button>
            {chipSimulated && (
              <button type="button" data-testid="simulate-remove" onClick={() => simulate('remove-document')}>{t('document.simulator.removeDocument')}</button>
            )}
          </>
        ) : (
          <>
            <button type="button" data-testid="simulate-cnid" onClick={() => simulate('present-document', 'cnid')}>{t('document.simulator.cnid')}</button>
            <button type="button" data-testid="simulate-remove" onClick={() => simulate('remove-document')}>{t('document.simulator.remove')}</button>
          </>
        )}
        <button type="button" data-testid="simulate-misread" onClick={() => simulate('present-bad-document')}>{t('document.simulator.misread')}</button>
      </div>
    </aside>
  );
}
