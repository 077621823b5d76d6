// The officer's record that something cannot be captured (a finger, the face): one
// reason from a fixed list, an optional note, then record or cancel.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorText } from './ErrorText';

export function ExceptionReasonForm<R extends string>({ testId, heading, reasons, label, withNote = false, recordLabel, onRecord, onCancel }: {
  testId: string;
  heading: string;
  reasons: readonly R[];
  label(reason: R): string;
  withNote?: boolean;
  recordLabel: string;
  /** Rejects with the error to show. */
  onRecord(reason: R, note: string): Promise<unknown>;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<R | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="panel exception-panel" data-testid={`${testId}-panel`}>
      <h3>{heading}</h3>
      <div className="actions start" role="group">
        {reasons.map((choice) => (
          <button key={choice} type="button" aria-pressed={reason === choice} data-testid={`${testId}-${choice}`}
            onClick={() => setReason(choice)}>{label(choice)}</button>
        ))}
      </div>
      {withNote && (
        <label className="form">{t('exception.note')}
          <input name="exceptionNote" maxLength={200} value={note} onChange={(event) => setNote(event.target.value)} />
        </label>
      )}
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>{t('flow.cancel')}</button>
        <button type="button" className="primary" disabled={!reason} data-testid={`${testId}-record`}
          onClick={() => reason && void onRecord(reason, note).catch(setError)}>{recordLabel}</button>
      </div>
    </div>
  );
}
