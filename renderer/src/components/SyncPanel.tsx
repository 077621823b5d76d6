// The sync panel for supervisors (and technicians): what waits for the authority and since
// when, the last success, the record being sent with its progress, the failure that stands in
// plain words (saying so when a technician must fix it), the last round's records that were not
// delivered with the code why, "sync now"; supervisors also export the queue to a USB stick and
// import the receipt file brought back.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDateFormat } from '../hooks/useDateFormat';
import type { z } from 'zod';
import type { SyncProgress } from '../../../main/rpc/procedures/sync';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';
import { badgeOf } from './sync-badge';

type Progress = z.infer<typeof SyncProgress>;

/** "3 h 12 min", "4 min", "less than a minute" — from milliseconds. */
function useAge(): (since: string) => string {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return (since) => {
    const minutes = Math.floor(Math.max(0, now - Date.parse(since)) / 60_000);
    if (minutes < 1) return t('sync.age.underMinute');
    if (minutes < 60) return t('sync.age.minutes', { count: minutes });
    if (minutes < 48 * 60) return t('sync.age.hours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
    return t('sync.age.days', { count: Math.floor(minutes / 1440) });
  };
}

export function SyncPanel({ supervisor }: { supervisor: boolean }) {
  const client = useKiosk();
  const { t, i18n } = useTranslation();
  const { dateTime, time } = useDateFormat();
  const age = useAge();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ key: string; values?: Record<string, unknown> } | null>(null);
  const [folder, setFolder] = useState('/media/usb');
  const [receipts, setReceipts] = useState('');

  useEffect(() => {
    client.call('sync.status', {}).then(setProgress, setError);
    return client.on('sync.progress', setProgress);
  }, [client]);

  const act = <T,>(work: Promise<T>, describe: (result: T) => { key: string; values?: Record<string, unknown> }) => {
    setNotice(null);
    work.then((result) => { setError(null); setNotice(describe(result)); }, setError)
      .finally(() => client.call('sync.status', {}).then(setProgress, () => undefined));
  };
  const exportQueue = (event: FormEvent) => {
    event.preventDefault();
    act(client.call('sync.export', { directory: folder }), (r) => ({ key: 'sync.exported', values: { count: r.records, file: r.file } }));
  };
  const importReceipts = (event: FormEvent) => {
    event.preventDefault();
    act(client.call('sync.importReceipts', { file: receipts }), (r) => ({ key: 'sync.receiptsImported', values: { count: r.accepted, already: r.alreadyAccepted } }));
  };

  if (!progress) return <section className="panel" data-testid="sync-panel"><ErrorText error={error} /></section>;
  const { transfer, lastError, lastRound } = progress;
  const badge = badgeOf(progress);
  const errorText = lastError && t([`sync.errors.${lastError.code}`, `errors.${lastError.code}`, 'errors.generic']);
  return (
    <section className="panel sync-panel" data-testid="sync-panel">
      <div className="panel-top">
        <h2>{t('sync.heading')}</h2>
        <span className={`sync-state sync-${badge}`} data-testid="sync-state" data-state={progress.state} data-badge={badge}>{t(`sync.states.${badge}`)}</span>
      </div>
      <dl className="facts">
        <dt>{t('sync.queueDepth')}</dt><dd data-testid="sync-queue-depth">{progress.queueDepth}</dd>
        {progress.exported > 0 && (<><dt>{t('sync.exportedWaiting')}</dt><dd>{progress.exported}</dd></>)}
        {progress.rejected > 0 && (<><dt>{t('sync.rejected')}</dt><dd className="warning">{progress.rejected}</dd></>)}
        {progress.oldestUnsyncedAt && (<><dt>{t('sync.oldest')}</dt><dd data-testid="sync-oldest">{age(progress.oldestUnsyncedAt)}</dd></>)}
        <dt>{t('sync.lastSuccess')}</dt>
        <dd data-testid="sync-last-success">{progress.lastSuccessAt ? dateTime(progress.lastSuccessAt) : t('sync.never')}</dd>
        {progress.nextAttemptAt && (<><dt>{t('sync.nextAttempt')}</dt><dd>{time(progress.nextAttemptAt)}</dd></>)}
      </dl>
      {transfer && (
        <div className="upload-progress" data-testid="sync-transfer">
          <span>{t('sync.sending', { record: transfer.recordId.slice(0, 8) })}</span>
          <progress max={transfer.total} value={transfer.bytes} />
          <span>{Math.round((100 * transfer.bytes) / transfer.total)} %</span>
        </div>
      )}
      {errorText && <p className="error" role="alert" data-testid="sync-last-error" data-code={lastError!.code}>{errorText}</p>}
      {lastError?.kind === 'config' && (
        <>
          {/* Only where the failure's own words do not already say a technician must act. */}
          {!i18n.exists(`sync.errors.${lastError.code}`) && <p className="warning" data-testid="sync-needs-technician">{t('sync.needsTechnician')}</p>}
          <details data-testid="sync-technical"><summary>{t('diagnostics.technical')}</summary><p className="muted">{lastError.code}: {lastError.message}</p></details>
        </>
      )}
      {lastRound && lastRound.failures.length > 0 && (
        <div data-testid="sync-last-round">
          <p>{t('sync.lastRound', { time: time(lastRound.at), delivered: lastRound.delivered, retried: lastRound.retried, rejected: lastRound.rejected })}</p>
          <ul className="sync-failures">
            {lastRound.failures.map((failure) => (
              <li key={failure.recordId} data-testid="sync-record-failure" data-code={failure.code} data-outcome={failure.outcome}>
                {t(`sync.outcomes.${failure.outcome}`, { record: failure.recordId.slice(0, 8), code: failure.code })}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="row-actions">
        <button type="button" className="primary" data-testid="sync-now" disabled={progress.state === 'not-provisioned'}
          onClick={() => act(client.call('sync.now', {}), () => ({ key: 'sync.started' }))}>{t('sync.syncNow')}</button>
      </div>
      {supervisor && (
        <>
          <form className="form inline" onSubmit={exportQueue} data-testid="sync-export">
            <h3>{t('sync.exportHeading')}</h3>
            <label>{t('sync.folder')}<input name="exportFolder" value={folder} onChange={(e) => setFolder(e.target.value)} required /></label>
            <button type="submit" disabled={progress.queueDepth === 0}>{t('sync.export')}</button>
          </form>
          <form className="form inline" onSubmit={importReceipts} data-testid="sync-receipts">
            <h3>{t('sync.receiptsHeading')}</h3>
            <label>{t('sync.receiptsFile')}<input name="receiptsFile" value={receipts} onChange={(e) => setReceipts(e.target.value)} required /></label>
            <button type="submit">{t('sync.importReceipts')}</button>
          </form>
        </>
      )}
      {notice && <p data-testid="sync-notice">{t(notice.key, notice.values)}</p>}
      <ErrorText error={error} />
    </section>
  );
}
