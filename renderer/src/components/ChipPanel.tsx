// The document's chip on the document step: where to put the document for the chip reader,
// the reading's progress, the card access number for cards that ask for it, a failed reading
// in plain words (never the kiosk's technical message) with "read again", and the verdict:
// verified (who signed it, the check against copies), not verifiable (the officer compares the
// document and decides), or failed (altered or not genuine: the enrollment stops). While the
// chip is not read, the officer may go on without it, with a reason and a note; a second
// person must then approve the enrollment.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceStatus, Enrollment } from '../../../main/rpc/contract';
import { useAction } from '../hooks/useAction';
import { useKiosk } from '../kiosk-context';
import { chipErrorKind, countryName, failedReason, SKIP_REASONS, type Chip, type ChipDone, type SkipReason } from './chip-facts';
import { ErrorText } from './ErrorText';

type EnrollmentView = z.infer<typeof Enrollment>;
type Device = z.infer<typeof DeviceStatus>;

const NOTE_MIN = 3;
const NOTE_MAX = 200;

export function ChipPanel({ readId, chip, reader, onChange }: {
  readId: string;
  chip: Chip;
  /** The chip reader as the status bar shows it; undefined while the status loads. */
  reader: Device | undefined;
  onChange(view: EnrollmentView): void;
}) {
  const { t } = useTranslation();
  const client = useKiosk();
  const action = useAction();
  const [skipping, setSkipping] = useState(false);
  const act = (work: () => Promise<EnrollmentView>) => action.run(async () => onChange(await work()));
  const retry = () => act(() => client.call('enrollment.chipRetry', { readId }));
  const skippable = chip.status === 'waiting' || chip.status === 'error' || chip.status === 'needs-can';
  const verdict = chip.status === 'done' ? chip.verdict : undefined;

  return (
    <section className={`panel chip-panel chip-panel-${chip.status}${verdict ? ` chip-panel-${verdict}` : ''}`} data-testid="chip-panel"
      data-status={chip.status} data-verdict={verdict}>
      <h3 className="chip-heading"><ChipSymbol />{t('document.chip.heading')}</h3>

      {chip.status === 'waiting' && (
        <>
          <p className="lead chip-instruction" data-testid="chip-waiting">{t('document.chip.waiting')}</p>
          {reader && (
            <p className={`reader-state device-${reader.state}`} data-testid="chip-reader-state" data-state={reader.state}>
              {t('document.chip.readerState', { state: t(`status.states.${reader.state}`) })}
            </p>
          )}
        </>
      )}

      {chip.status === 'reading' && <ChipProgress fraction={chip.fraction} stage={chip.stage} />}

      {chip.status === 'needs-can' && (
        <CanForm retry={chip.retry} busy={action.busy} onSubmit={(can) => act(() => client.call('enrollment.chipCan', { readId, can }))} />
      )}

      {chip.status === 'error' && (
        <>
          <p className="chip-message chip-message-error" role="alert" data-testid="chip-error" data-code={chip.code}>
            {t(`document.chip.errors.${chipErrorKind(chip.code)}`)}
          </p>
          <div className="actions start wrap">
            <button type="button" className="primary" data-testid="chip-retry" disabled={action.busy} onClick={() => void retry()}>
              {t('document.chip.retry')}
            </button>
          </div>
        </>
      )}

      {chip.status === 'done' && (
        <ChipVerdict chip={chip} busy={action.busy}
          onAcknowledge={() => void act(() => client.call('enrollment.acknowledgeChip', { readId }))} />
      )}

      {chip.status === 'skipped' && (
        <div className="chip-skipped" data-testid="chip-skipped" data-reason={chip.reason}>
          <p className="summary-lead">{t('document.chip.skipped.heading', { reason: t(`document.chip.skip.reasons.${chip.reason}`) })}</p>
          <p className="exception-note">{t('review.quoted', { note: chip.note })}</p>
          <p className="muted">{t('document.chip.skipped.recordedBy', { name: chip.by?.name ?? t('document.chip.atScreen') })}</p>
          <p className="warning" data-testid="chip-second-approval">{t('document.chip.skipped.secondApproval')}</p>
          <div className="actions start">
            <button type="button" data-testid="chip-read-after-all" disabled={action.busy} onClick={() => void retry()}>
              {t('document.chip.skipped.readAfterAll')}
            </button>
          </div>
        </div>
      )}

      <ErrorText error={action.error} />

      {skippable && (skipping ? (
        <SkipForm busy={action.busy} onCancel={() => setSkipping(false)}
          onRecord={(reason, note) => act(async () => {
            const view = await client.call('enrollment.skipChip', { readId, reason, note });
            setSkipping(false);
            return view;
          })} />
      ) : (
        <div className="actions start chip-skip-open">
          <button type="button" data-testid="chip-skip" onClick={() => { action.setError(null); setSkipping(true); }}>
            {t('document.chip.skip.open')}
          </button>
        </div>
      ))}
    </section>
  );
}

function ChipProgress({ fraction, stage }: { fraction: number; stage: Extract<Chip, { status: 'reading' }>['stage'] }) {
  const { t, i18n } = useTranslation();
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  const shown = (percent / 100).toLocaleString(i18n.language, { style: 'percent' });
  const stageText = t(`document.chip.stages.${stage}`);
  return (
    <div className="chip-reading">
      <p className="lead chip-instruction">{t('document.chip.reading')}</p>
      <div className="chip-progress-row">
        <div className="chip-progress" role="progressbar" aria-label={t('document.chip.progressLabel')} aria-valuemin={0} aria-valuemax={100}
          aria-valuenow={percent} aria-valuetext={`${stageText}: ${shown}`} data-testid="chip-progress" data-stage={stage}>
          <div className="chip-progress-fill" style={{ width: `${percent}%` }} />
        </div>
        <span className="chip-percent" data-testid="chip-percent">{shown}</span>
      </div>
      <p className="chip-stage" aria-live="polite" data-testid="chip-stage">{stageText}</p>
    </div>
  );
}

function CanForm({ retry, busy, onSubmit }: { retry: boolean; busy: boolean; onSubmit(can: string): Promise<unknown> }) {
  const { t } = useTranslation();
  const [can, setCan] = useState('');
  const complete = /^\d{6}$/.test(can);
  return (
    <form className="chip-can" data-testid="chip-can-form" data-retry={retry}
      onSubmit={(event) => { event.preventDefault(); if (complete && !busy) void onSubmit(can).then(() => setCan('')); }}>
      <p className="summary-lead">{t('document.chip.can.heading')}</p>
      {retry && <p className="chip-message chip-message-error" role="alert" data-testid="chip-can-wrong">{t('document.chip.can.retry')}</p>}
      <p>{t('document.chip.can.explain')}</p>
      <div className="form inline">
        <label>{t('document.chip.can.label')}
          <input name="can" data-testid="chip-can" inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autoComplete="off" spellCheck={false}
            className="chip-can-input" value={can} onChange={(event) => setCan(event.target.value.replace(/\D/g, '').slice(0, 6))} />
        </label>
        <button type="submit" className="primary" data-testid="chip-can-submit" disabled={!complete || busy}>{t('document.chip.can.submit')}</button>
      </div>
    </form>
  );
}

function ChipVerdict({ chip, busy, onAcknowledge }: { chip: ChipDone; busy: boolean; onAcknowledge(): void }) {
  const { t, i18n } = useTranslation();
  const country = countryName(chip.country, i18n.language) ?? t('document.chip.someCountry');

  if (chip.verdict === 'verified') {
    return (
      <div className="chip-result">
        <p className="verdict verdict-valid" data-testid="chip-verdict" data-verdict="verified">{t('document.chip.verified')}</p>
        <p>{t('document.chip.verifiedBody')}</p>
        <dl className="facts chip-facts">
          <div className="fact" data-testid="chip-signer">
            <dt>{t('document.chip.signer')}</dt>
            <dd>{chip.csca ?? '—'} ({country})</dd>
          </div>
          <div className="fact" data-testid="chip-clone-check" data-protocol={chip.cloneCheck?.protocol ?? 'none'}>
            <dt>{t('document.chip.cloneCheckLabel')}</dt>
            <dd>{t(`document.chip.cloneCheck.${chip.cloneCheck?.protocol ?? 'none'}`)}</dd>
          </div>
          <div className="fact">
            <dt>{t('document.chip.accessLabel')}</dt>
            <dd data-testid="chip-access">{chip.access}</dd>
          </div>
        </dl>
      </div>
    );
  }

  if (chip.verdict === 'not-verifiable') {
    const reason = chip.reason === 'no-csca-for-issuer' || chip.reason === 'unsupported-algorithm' ? chip.reason : 'no-csca-for-country';
    return (
      <div className="chip-result">
        <p className="verdict verdict-chip-unverified" data-testid="chip-verdict" data-verdict="not-verifiable">
          {t('document.chip.notVerifiable.heading')}
        </p>
        <p data-testid="chip-reason" data-reason={chip.reason ?? ''}>{t(`document.chip.notVerifiable.reasons.${reason}`, { country })}</p>
        <p className="chip-compare">{t('document.chip.notVerifiable.compare')}</p>
        {chip.acknowledged ? (
          <p className="chip-acknowledged" data-testid="chip-acknowledged">
            ✓ {t('document.chip.notVerifiable.acknowledgedBy', { name: chip.acknowledgedBy?.name ?? t('document.chip.atScreen') })}
          </p>
        ) : (
          <div className="actions start">
            <button type="button" className="primary" data-testid="chip-acknowledge" disabled={busy} onClick={onAcknowledge}>
              {t('document.chip.notVerifiable.acknowledge')}
            </button>
          </div>
        )}
      </div>
    );
  }

  return (
    <div className="chip-result" role="alert">
      <p className="verdict verdict-invalid" data-testid="chip-verdict" data-verdict="failed">{t('document.chip.failed.heading')}</p>
      <p className="chip-failed-reason" data-testid="chip-reason" data-reason={chip.reason ?? ''}>{failedReason(t, chip.reason)}</p>
      <p className="chip-failed-next">{t('document.chip.failed.body')}</p>
    </div>
  );
}

function SkipForm({ busy, onRecord, onCancel }: { busy: boolean; onRecord(reason: SkipReason, note: string): Promise<unknown>; onCancel(): void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<SkipReason | ''>('');
  const [note, setNote] = useState('');
  const trimmed = note.trim();
  const complete = reason !== '' && trimmed.length >= NOTE_MIN;
  const form = useRef<HTMLFormElement>(null);
  // Opened at the foot of the panel: bring it into view (at 1280×800 it starts below the fold).
  useEffect(() => { form.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' }); }, []);
  return (
    <form ref={form} className="chip-skip-form" data-testid="chip-skip-form"
      onSubmit={(event) => { event.preventDefault(); if (complete && !busy) void onRecord(reason, trimmed); }}>
      <p className="summary-lead">{t('document.chip.skip.heading')}</p>
      <div className="chip-skip-fields">
        <label>{t('document.chip.skip.reason')}
          <select name="chipSkipReason" data-testid="chip-skip-reason" value={reason} onChange={(event) => setReason(event.target.value as SkipReason | '')}>
            <option value="" disabled>{t('document.chip.skip.choose')}</option>
            {SKIP_REASONS.map((choice) => <option key={choice} value={choice}>{t(`document.chip.skip.reasons.${choice}`)}</option>)}
          </select>
        </label>
        <label className="chip-skip-note">{t('document.chip.skip.note')}
          <input name="chipSkipNote" data-testid="chip-skip-note" maxLength={NOTE_MAX} value={note} placeholder={t('document.chip.skip.notePlaceholder')}
            onChange={(event) => setNote(event.target.value.replace(/[\r\n\t]/g, ' '))} />
        </label>
      </div>
      <p className="warning">{t('document.chip.skip.secondApproval')}</p>
      {!complete && (
        <p className="muted" data-testid="chip-skip-incomplete">
          {t('exception.stillMissing', {
            items: [
              ...(reason === '' ? [t('exception.missing.reason')] : []),
              ...(trimmed.length < NOTE_MIN ? [t('exception.missing.note', { count: NOTE_MIN })] : []),
            ].join(t('exception.missing.separator')),
          })}
        </p>
      )}
      <div className="actions start wrap">
        <button type="button" data-testid="chip-skip-cancel" onClick={onCancel}>{t('exception.back')}</button>
        <button type="submit" className="primary" data-testid="chip-skip-record" disabled={!complete || busy}>{t('document.chip.skip.record')}</button>
      </div>
    </form>
  );
}

/** The ICAO chip symbol printed on ePassports and eID cards, so the officer recognises what is meant. */
function ChipSymbol() {
  return (
    <svg className="chip-symbol" viewBox="0 0 40 26" aria-hidden="true" focusable="false">
      <rect x="1.5" y="1.5" width="37" height="23" rx="2" fill="none" stroke="currentColor" strokeWidth="2.5" />
      <line x1="1.5" y1="9" x2="38.5" y2="9" stroke="currentColor" strokeWidth="2" />
      <line x1="1.5" y1="17" x2="38.5" y2="17" stroke="currentColor" strokeWidth="2" />
      <circle cx="20" cy="13" r="5" fill="var(--card)" stroke="currentColor" strokeWidth="2.5" />
    </svg>
  );
}
