// Today's records: an officer's own enrollments, a supervisor's everyone's, each with its number,
// time, kind, where it is (held for review → sealed → sent → received by the authority →
// decided) and the authority's decision, kept current as the kiosk syncs; a slip printed again
// from here while the kiosk still keeps it; and, for a supervisor, a record the authority refused
// queued again after a confirmation that shows the refusal.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import type { PrintedSlip, RecordEntry } from '../../../main/rpc/procedures/records';
import { useAction } from '../hooks/useAction';
import { Dialog } from './Dialog';
import { useDateFormat } from '../hooks/useDateFormat';
import { useSystemStatus } from '../hooks/useSystemStatus';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';
import { SlipPreview } from './SlipPreview';

type Entry = z.infer<typeof RecordEntry>;

export function RecordsPanel({ operator }: { operator: z.infer<typeof Operator> }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { time, dateTime } = useDateFormat();
  const status = useSystemStatus();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [slip, setSlip] = useState<z.infer<typeof PrintedSlip> | null>(null);
  const [requeueing, setRequeueing] = useState<Entry | null>(null);
  const [requeued, setRequeued] = useState<string | null>(null);
  const [listed, setListed] = useState(0);
  const reprint = useAction();
  const supervisor = operator.role === 'supervisor';

  useEffect(() => {
    let live = true;
    client.call('records.list', {}).then(({ entries: found }) => { if (live) setEntries(found); }, () => undefined);
    return () => { live = false; };
  }, [client, status, listed]);

  const stateText = (entry: Entry) => {
    if (entry.state === 'decided') return t(`records.decision.${entry.decision}`);
    if (entry.state === 'sealed') return t('records.states.sealed', { count: entry.ahead ?? 0 });
    return t(`records.states.${entry.state}`);
  };

  return (
    <section className="panel records" data-testid="records-panel">
      <h2>{t(supervisor ? 'records.headingAll' : 'records.headingOwn')}</h2>
      {entries?.length === 0 && <p className="muted" data-testid="records-empty">{t('records.empty')}</p>}
      {entries && entries.length > 0 && (
        <table className="records-table">
          <thead>
            <tr>
              <th>{t('records.number')}</th><th>{t('records.time')}</th><th>{t('records.kind')}</th>
              {supervisor && <th>{t('records.ranBy')}</th>}
              <th>{t('records.state')}</th><th />
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.enrollmentId} data-testid="records-entry" data-state={entry.state} data-decision={entry.decision ?? ''}>
                <td className="records-number">{entry.number ?? '—'}</td>
                <td>{time(entry.at)}</td>
                <td>{t(`queue.kinds.${entry.flow}`)}</td>
                {supervisor && <td>{entry.ranBy?.name ?? '—'}</td>}
                <td className={`records-state records-${entry.state} records-${entry.decision ?? 'open'}`}>
                  {stateText(entry)}
                  {entry.decidedAt && <span className="muted"> · {dateTime(entry.decidedAt)}</span>}
                  {entry.reason && entry.state === 'decided' && (
                    <span className="records-reason" data-testid="records-reason">{entry.reason}</span>
                  )}
                  {entry.reason && entry.state === 'delivery-refused' && <RefusalDetail reason={entry.reason} testId="records-reason" />}
                </td>
                <td>
                  {supervisor && entry.state === 'delivery-refused' && entry.recordId && (
                    <button type="button" data-testid="records-requeue" onClick={() => { setRequeued(null); setRequeueing(entry); }}>
                      {t('records.requeue.button')}
                    </button>
                  )}
                  {entry.slipKept && entry.recordId && (
                    <button type="button" data-testid="records-reprint" disabled={reprint.busy}
                      onClick={() => void reprint.run(async () => setSlip(await client.call('records.printSlip', { recordId: entry.recordId! })))}>
                      {t('records.reprint')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reprint.busy && <p className="muted" role="status">{t('finished.printing')}</p>}
      {requeued && <p role="status" data-testid="records-requeued">{t('records.requeue.done', { number: requeued })}</p>}
      <ErrorText error={reprint.error} />
      {slip && (
        <div className="records-slip">
          <SlipPreview slip={slip} />
          <button type="button" onClick={() => setSlip(null)}>{t('records.closeSlip')}</button>
        </div>
      )}
      {requeueing && (
        <RequeueDialog entry={requeueing} onClose={() => setRequeueing(null)} onDone={(number) => {
          setRequeueing(null);
          setRequeued(number);
          setListed((count) => count + 1);
        }} />
      )}
    </section>
  );
}

/** Asks a supervisor before a refused record goes back into the queue, showing why the authority refused it. */
function RequeueDialog({ entry, onClose, onDone }: { entry: Entry; onClose(): void; onDone(number: string): void }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const { busy, error, run } = useAction();
  const number = entry.number ?? entry.recordId!.slice(0, 8);
  const requeue = () => run(() => client.call('records.requeue', { recordId: entry.recordId! }).then(() => onDone(number)));
  return (
    <Dialog heading={t('records.requeue.heading', { number })} testId="requeue-dialog" actions={(
      <>
        <button type="button" onClick={onClose}>{t('records.requeue.cancel')}</button>
        <button type="button" className="primary" disabled={busy} data-testid="requeue-confirm" onClick={() => void requeue()}>
          {t('records.requeue.confirm')}
        </button>
      </>
    )}>
      <p>{t('records.requeue.refusedBecause')}</p>
      {entry.reason && <RefusalDetail reason={entry.reason} testId="requeue-reason" />}
      <p>{t('records.requeue.body')}</p>
      <ErrorText error={error} />
    </Dialog>
  );
}

/** The authority's own words for a refusal: technical, in its language, so behind a disclosure. */
function RefusalDetail({ reason, testId }: { reason: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <details className="records-reason">
      <summary>{t('diagnostics.technical')}</summary>
      <span data-testid={testId}>{reason}</span>
    </details>
  );
}
