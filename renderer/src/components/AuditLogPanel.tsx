// The audit log section of supervisors and technicians: the hash chain's check, and the log
// newest first a page at a time, filtered by operator (who acted or whom it was about) and by
// action (one, or all of a kind). Each entry reads as time in the screen's language, who, what
// in words (the raw action name for one this screen has no words for) and a summary of its
// details; the log holds no personal data to begin with (main/audit/audit-log.ts refuses it).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { AuditEntry, AuditVerification } from '../../../main/rpc/contract';
import type { OperatorEntry } from '../../../main/rpc/procedures/operators';
import { useDateFormat } from '../hooks/useDateFormat';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';

type Entry = z.infer<typeof AuditEntry>;
type Operator = z.infer<typeof OperatorEntry>;

const PAGE_SIZE = 12;
const DETAIL_ORDER = ['operatorId', 'outcome', 'role', 'newRole', 'position'];

export function AuditLogPanel() {
  const client = useKiosk();
  const { t } = useTranslation();
  const [operators, setOperators] = useState<Operator[]>([]);
  const [actions, setActions] = useState<string[]>([]);
  const [operatorId, setOperatorId] = useState<number | null>(null);
  const [action, setAction] = useState<string | null>(null);
  /** The entry each page shown so far starts before (undefined: the newest); the last is this page's. */
  const [pages, setPages] = useState<Array<number | undefined>>([undefined]);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const beforeSeq = pages.at(-1);

  useEffect(() => {
    client.call('operators.list', {}).then(setOperators, setError);
    client.call('audit.actions', {}).then(setActions, setError);
  }, [client]);
  useEffect(() => {
    let current = true;
    client.call('audit.list', {
      order: 'newest-first', limit: PAGE_SIZE + 1,
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      ...(operatorId !== null ? { operatorId } : {}),
      ...(action !== null ? { action } : {}),
    }).then((found) => { if (current) setEntries(found); }, setError);
    return () => { current = false; };
  }, [client, beforeSeq, operatorId, action]);

  const filter = (change: () => void) => {
    change();
    setPages([undefined]);
  };
  const shown = entries?.slice(0, PAGE_SIZE) ?? [];
  const hasOlder = (entries?.length ?? 0) > PAGE_SIZE;
  const words = useAuditWords(operators);

  return (
    <section className="panel audit-log" data-testid="audit-log">
      <h2>{t('staff.audit')}</h2>
      <AuditCheck />
      <div className="audit-filters">
        <label>{t('operators.auditLog.operator')}
          <select name="auditOperator" data-testid="audit-filter-operator" value={operatorId ?? ''}
            onChange={(e) => filter(() => setOperatorId(e.target.value === '' ? null : Number(e.target.value)))}>
            <option value="">{t('operators.auditLog.anyOperator')}</option>
            {operators.map((op) => <option key={op.id} value={op.id}>{op.name}</option>)}
          </select>
        </label>
        <label>{t('operators.auditLog.action')}
          <select name="auditAction" data-testid="audit-filter-action" value={action ?? ''}
            onChange={(e) => filter(() => setAction(e.target.value === '' ? null : e.target.value))}>
            <option value="">{t('operators.auditLog.anyAction')}</option>
            {groupsOf(actions).map(([group, members]) => (
              <optgroup key={group} label={words.group(group)}>
                <option value={`${group}.`}>{t('operators.auditLog.allOf', { group: words.group(group) })}</option>
                {members.map((name) => <option key={name} value={name}>{words.action(name)}</option>)}
              </optgroup>
            ))}
          </select>
        </label>
      </div>
      {entries && shown.length === 0 && <p data-testid="audit-empty">{t('operators.auditLog.none')}</p>}
      {shown.length > 0 && (
        <table className="audit-entries" data-testid="audit-entries">
          <thead>
            <tr>
              <th>{t('operators.auditLog.when')}</th>
              <th>{t('operators.auditLog.who')}</th>
              <th>{t('operators.auditLog.what')}</th>
              <th>{t('operators.auditLog.details')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((entry) => (
              <tr key={entry.seq} data-testid="audit-entry" data-seq={entry.seq} data-action={entry.action}>
                <td className="audit-time">{words.time(entry.at)}</td>
                <td>{words.actor(entry.actor)}</td>
                <td>{words.action(entry.action)}</td>
                <td className="audit-details">{words.details(entry.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions start">
        <button type="button" data-testid="audit-newer" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
          {t('operators.auditLog.newer')}
        </button>
        <button type="button" data-testid="audit-older" disabled={!hasOlder} onClick={() => setPages([...pages, shown.at(-1)!.seq])}>
          {t('operators.auditLog.older')}
        </button>
      </div>
      <ErrorText error={error} />
    </section>
  );
}

/** Actions by their kind (the part before the first "."), in name order. */
function groupsOf(actions: string[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const name of actions) {
    const group = name.split('.')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), name]);
  }
  return [...groups];
}

/** Words for an entry's parts in the screen's language; names and values it has no words for stay as they are. */
function useAuditWords(operators: Operator[]) {
  const { t, i18n } = useTranslation();
  const { dateTime } = useDateFormat();
  const names = new Map(operators.map((op) => [op.id, op.name]));
  const known = (key: string, fallback: string, values?: Record<string, unknown>) => (i18n.exists(key) ? t(key, values) : fallback);
  const operator = (id: number) => names.get(id) ?? t('operators.auditLog.operatorNumber', { id });
  const role = (value: unknown) => known(`roles.${String(value)}`, String(value));

  /** A detail in words; '' for one that says nothing to a person (a library slot, an old role said with the new one). */
  const detail = (key: string, value: unknown, all: Record<string, unknown>): string => {
    switch (key) {
      case 'operatorId': return typeof value === 'number' ? t('operators.auditLog.about', { name: operator(value) }) : '';
      case 'outcome': return known(`operators.auditLog.outcomes.${String(value)}`, String(value));
      case 'role': return t('operators.auditLog.role', { role: role(value) });
      case 'newRole': return t('operators.auditLog.roleChange', { from: role(all.oldRole), to: role(value) });
      case 'oldRole':
      case 'page': return '';
      case 'position': return known(`fingerprint.fingers.${String(value)}`, String(value));
      case 'clearedOnScanner': return value === false ? t('operators.auditLog.notClearedOnScanner') : '';
      default: return `${key}: ${typeof value === 'object' && value !== null ? '…' : String(value).slice(0, 48)}`;
    }
  };
  /** Who it was about first, then what happened, then the rest. */
  const order = (key: string) => {
    const rank = DETAIL_ORDER.indexOf(key);
    return rank === -1 ? DETAIL_ORDER.length : rank;
  };

  return {
    time: dateTime,
    group: (group: string) => known(`operators.auditLog.groups.${group}`, group),
    action: (action: string) => known(`operators.auditLog.actions.${action}`, action),
    actor: (actor: string | null) => {
      const id = /^operator:(\d+)$/.exec(actor ?? '')?.[1];
      if (id) return operator(Number(id));
      return known(`operators.auditLog.actors.${actor ?? 'none'}`, actor ?? '');
    },
    details: (details: Record<string, unknown>) => Object.entries(details)
      .sort(([a], [b]) => order(a) - order(b))
      .map(([key, value]) => detail(key, value, details)).filter((part) => part !== '').join(' · '),
  };
}

/** Checks the hash chain; the verification is kept, not its sentence, so a change of language re-words it. */
function AuditCheck() {
  const client = useKiosk();
  const { t } = useTranslation();
  const [result, setResult] = useState<z.infer<typeof AuditVerification> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const verify = () => client.call('audit.verify', {}).then(setResult, setError);
  return (
    <div className="audit-check" data-testid="audit-panel">
      <button type="button" onClick={() => void verify()} data-testid="audit-verify">{t('staff.auditVerify')}</button>
      {result && (
        <p data-testid="audit-result" data-ok={result.ok}>
          {result.ok || !result.firstBroken
            ? t('staff.auditOk', { count: result.entries })
            : t('staff.auditBroken', { seq: result.firstBroken.seq })}
        </p>
      )}
      <ErrorText error={error} />
    </div>
  );
}
