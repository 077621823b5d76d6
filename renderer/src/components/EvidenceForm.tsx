// The officer's record that something cannot be captured (the face, a finger, the liveness
// challenge): a reason from a fixed list, a note saying what they see, and a photo from the
// kiosk camera of it (a bandaged hand, a person who cannot face the camera). All three go
// into the sealed record; the photo is shown before it is kept, and can be taken again.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../hooks/useAction';
import { useCamera } from '../hooks/useCamera';
import { DeviceProblemNotice } from './DeviceProblemNotice';
import { ErrorText } from './ErrorText';

export interface Evidence<R extends string> {
  reason: R;
  note: string;
  photo: string | null;
}

const MIN_NOTE = 3;

export function EvidenceForm<R extends string>({
  testId, heading, subject, reasons, label, photoOptional = () => false, recordLabel, onRecord, onCancel,
}: {
  testId: string;
  heading: string;
  /** What the officer photographs: a hand (a finger's exception) or the person (the face's). */
  subject: 'hand' | 'person';
  reasons: readonly R[];
  label(reason: R): string;
  /** Reasons that need no photo (there is no camera to take one). */
  photoOptional?(reason: R): boolean;
  recordLabel: string;
  /** Rejects with the error to show. */
  onRecord(evidence: Evidence<R>): Promise<unknown>;
  onCancel?(): void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<R | null>(null);
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const needsPhoto = reason === null || !photoOptional(reason);
  const complete = reason !== null && note.trim().length >= MIN_NOTE && (photo !== null || !needsPhoto);

  const record = () => complete && run(() => onRecord({ reason, note: note.trim(), photo: needsPhoto ? photo : null }));

  return (
    <div className="panel exception-panel" data-testid={`${testId}-panel`}>
      <h3>{heading}</h3>
      <div className="actions start wrap" role="group" aria-label={t('exception.reason')}>
        {reasons.map((choice) => (
          <button key={choice} type="button" aria-pressed={reason === choice} data-testid={`${testId}-${choice}`}
            onClick={() => setReason(choice)}>{label(choice)}</button>
        ))}
      </div>
      <label className="form exception-note">{t('exception.note')}
        <input name="exceptionNote" data-testid={`${testId}-note`} maxLength={200} value={note} placeholder={t(`exception.${subject}.notePlaceholder`)}
          onChange={(event) => setNote(event.target.value)} />
      </label>
      {needsPhoto && <EvidencePhoto testId={testId} hint={t(`exception.${subject}.photoHint`)} photo={photo} onPhoto={setPhoto} />}
      <ErrorText error={error} />
      {!complete && (
        <p className="muted" data-testid={`${testId}-incomplete`}>
          {t('exception.stillMissing', {
            items: [
              ...(reason === null ? [t('exception.missing.reason')] : []),
              ...(note.trim().length < MIN_NOTE ? [t('exception.missing.note', { count: MIN_NOTE })] : []),
              ...(needsPhoto && photo === null ? [t('exception.missing.photo')] : []),
            ].join(t('exception.missing.separator')),
          })}
        </p>
      )}
      <div className="actions">
        {onCancel && <button type="button" onClick={onCancel}>{t('exception.back')}</button>}
        <button type="button" className="primary" disabled={!complete || busy} data-testid={`${testId}-record`}
          onClick={() => void record()}>{recordLabel}</button>
      </div>
    </div>
  );
}

/** The camera's live picture and the photo taken from it. */
function EvidencePhoto({ testId, hint, photo, onPhoto }: { testId: string; hint: string; photo: string | null; onPhoto(photo: string | null): void }) {
  const { t } = useTranslation();
  const camera = useCamera();
  const take = async () => onPhoto(await camera.grab());
  return (
    <div className="evidence-photo">
      <div className="camera small">
        <video ref={camera.videoRef} muted playsInline data-testid={`${testId}-camera`} />
      </div>
      <div className="evidence-taken">
        {photo
          ? <img className="evidence-thumb" src={`data:image/jpeg;base64,${photo}`} alt={t('exception.photoAlt')} data-testid={`${testId}-photo`} />
          : <p className="muted">{hint}</p>}
        <DeviceProblemNotice kind="camera" problem={camera.problem} />
        <button type="button" disabled={!camera.ready} data-testid={`${testId}-take-photo`} onClick={() => void take()}>
          {t(photo ? 'exception.retakePhoto' : 'exception.takePhoto')}
        </button>
      </div>
    </div>
  );
}
