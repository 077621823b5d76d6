// The technician's diagnostics tab: every doctor check grouped (this computer, devices, this
// kiosk, data and storage, the authority) with its result in plain words, what to do, and the
// technical detail in a smaller line; the devices' live states with their last error; the
// authority connection, disk space and versions; the update channel; and the support bundle for a USB stick.
// It runs once when opened; each check shows waiting, checking, then its outcome.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { CheckGroup, CheckProgress, CheckResult, DiagnosticsReport } from '../../../main/rpc/procedures/diagnostics';
import type { DeviceDiagnosis } from '../../../main/rpc/procedures/devices';
import { useDateFormat } from '../hooks/useDateFormat';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';
import { SupportBundleForm, useByteFormat } from './SupportBundleForm';

type Report = z.infer<typeof DiagnosticsReport>;
type Progress = z.infer<typeof CheckProgress>;
type Result = z.infer<typeof CheckResult>;
type Group = z.infer<typeof CheckGroup>;

const GROUPS: readonly Group[] = ['machine', 'devices', 'station', 'storage', 'authority'];

export function DiagnosticsPanel() {
  const client = useKiosk();
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const [progress, setProgress] = useState<Progress[] | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => client.on('diagnostics.progress', ({ checks }) => setProgress(checks)), [client]);
  const run = useCallback(() => {
    setRunning(true);
    setError(null);
    client.call('diagnostics.run', {})
      .then((result) => { setReport(result); setProgress(null); }, setError)
      .finally(() => setRunning(false));
  }, [client]);
  useEffect(run, [run]);

  // While a run is under way its progress shows; afterwards the report's results.
  const checks: Progress[] = progress ?? report?.checks.map((result) => ({ id: result.id, group: result.group, state: 'done', result })) ?? [];
  return (
    <section className="panel diagnostics" data-testid="diagnostics-panel" aria-busy={running}>
      <div className="panel-top">
        <h2>{t('diagnostics.heading')}</h2>
        <button type="button" className="primary" data-testid="diagnostics-run" disabled={running} onClick={run}>
          {running ? t('diagnostics.running') : t('diagnostics.run')}
        </button>
      </div>
      <p className="hint">{t('diagnostics.intro')}</p>
      {report && !running && (
        <p className={report.ok ? 'diagnostics-summary ok' : 'diagnostics-summary failed'} data-testid="diagnostics-summary" data-ok={report.ok}>
          {t(report.ok ? 'diagnostics.summaryOk' : 'diagnostics.summaryFailed')} <span className="muted">{t('diagnostics.lastRun', { time: dateTime(report.at) })}</span>
        </p>
      )}
      <ErrorText error={error} />
      {GROUPS.map((group) => {
        const inGroup = checks.filter((check) => check.group === group);
        if (inGroup.length === 0) return null;
        return (
          <div key={group} className="diagnostics-group" data-testid={`diagnostics-group-${group}`}>
            <h3>{t(`diagnostics.groups.${group}`)}</h3>
            <ul className="check-list">{inGroup.map((check) => <CheckRow key={check.id} check={check} />)}</ul>
            {group === 'devices' && report && <DeviceStates devices={report.devices} />}
            {group === 'storage' && report && <StorageFacts report={report} />}
            {group === 'authority' && report && <AuthorityFacts authority={report.authority} />}
          </div>
        );
      })}
      {report && <VersionFacts versions={report.versions} />}
      {report && <UpdateFacts updates={report.updates} />}
      <SupportBundleForm disabled={running} />
    </section>
  );
}

/** One check: its state badge, title, the plain result, what to do, and the technical detail. */
function CheckRow({ check }: { check: Progress }) {
  const { t, i18n } = useTranslation();
  const { result } = check;
  const state = result?.outcome ?? check.state;
  const words = result ? wordsOf(result, (key) => i18n.exists(`diagnostics.checks.${key}.result`)) : null;
  return (
    <li className={`check check-${state}`} data-testid={`check-${check.id}`} data-state={state}>
      <span className={`check-badge badge-${state}`}>{t(`diagnostics.states.${state}`)}</span>
      <div className="check-body">
        <strong>{t(`diagnostics.checks.${check.id}.title`)}</strong>
        {words && <p className="check-result">{t(`diagnostics.checks.${words}.result`, result!.values)}</p>}
        {words && result!.outcome !== 'ok' && i18n.exists(`diagnostics.checks.${words}.todo`) && (
          <p className="check-todo"><span className="check-todo-label">{t('diagnostics.whatToDo')}:</span> {t(`diagnostics.checks.${words}.todo`, result!.values)}</p>
        )}
        {result && <p className="technical"><span>{t('diagnostics.technical')}:</span> {result.detail}</p>}
      </div>
    </li>
  );
}

/** Where a result's words are under diagnostics.checks: its reason's, or, for a reason the screen does not know, its outcome's. */
function wordsOf(result: Result, exists: (key: string) => boolean): string {
  const byReason = `${result.id}.${result.reason ?? result.outcome}`;
  return exists(byReason) ? byReason : `${result.id}.${result.outcome}`;
}

function DeviceStates({ devices }: { devices: Array<z.infer<typeof DeviceDiagnosis>> }) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  return (
    <div className="device-states" data-testid="diagnostics-devices">
      <h4>{t('diagnostics.deviceStates')}</h4>
      <ul className="check-list">
        {devices.map((device) => (
          <li key={device.kind} className="check" data-testid={`device-state-${device.kind}`} data-state={device.state}>
            <span className={`check-badge device-${device.state}`}>{t(`status.states.${device.state}`)}</span>
            <div className="check-body">
              <strong>{t(`status.devices.${device.kind}`)}</strong> <span className="muted">{t('diagnostics.since', { time: dateTime(device.since) })}</span>
              {device.problem && <p className="check-result">{t(`devices.problems.${device.problem}`)}</p>}
              {device.lastError ? (
                <p className="technical" data-testid="device-last-error">
                  <span>{t('diagnostics.lastError', { time: dateTime(device.lastError.at) })}:</span> {device.lastError.code && `${device.lastError.code} — `}{device.lastError.detail}
                </p>
              ) : <p className="hint">{t('diagnostics.noError')}</p>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function StorageFacts({ report }: { report: Report }) {
  const { t } = useTranslation();
  const bytes = useByteFormat();
  if (!report.disk) return null;
  return (
    <dl className="facts" data-testid="diagnostics-disk">
      <dt>{t('diagnostics.disk.heading')}</dt>
      <dd>{t('diagnostics.disk.value', { free: bytes(report.disk.freeBytes), total: bytes(report.disk.totalBytes) })}</dd>
    </dl>
  );
}

function AuthorityFacts({ authority }: { authority: Report['authority'] }) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const yesNo = (value: boolean | null) => (value === null ? t('diagnostics.authority.notAsked') : t(value ? 'diagnostics.authority.yes' : 'diagnostics.authority.no'));
  return (
    <dl className="facts" data-testid="diagnostics-authority">
      <dt>{t('diagnostics.authority.url')}</dt><dd>{authority.url ?? t('diagnostics.authority.notProvisioned')}</dd>
      <dt>{t('diagnostics.authority.reachable')}</dt><dd data-testid="authority-reachable">{yesNo(authority.reachable)}</dd>
      {authority.clockSkewSeconds !== null && (
        <><dt>{t('diagnostics.authority.clockSkew')}</dt><dd>{t('diagnostics.authority.seconds', { seconds: authority.clockSkewSeconds })}</dd></>
      )}
      <dt>{t('diagnostics.authority.lastSync')}</dt><dd>{authority.lastSyncAt ? dateTime(authority.lastSyncAt) : t('diagnostics.authority.never')}</dd>
      {authority.lastFailure && (
        <>
          <dt>{t('diagnostics.authority.lastFailure')}</dt>
          <dd className="technical" data-testid="authority-last-failure">{dateTime(authority.lastFailure.at)}: {authority.lastFailure.code} — {authority.lastFailure.message}</dd>
        </>
      )}
    </dl>
  );
}

function VersionFacts({ versions }: { versions: Report['versions'] }) {
  const { t } = useTranslation();
  return (
    <div className="diagnostics-group" data-testid="diagnostics-versions">
      <h3>{t('diagnostics.versions.heading')}</h3>
      <dl className="facts">
        <dt>{t('diagnostics.versions.kiosk')}</dt><dd>{versions.kiosk}</dd>
        <dt>{t('diagnostics.versions.node')}</dt><dd>{versions.node}</dd>
        <dt>{t('diagnostics.versions.chromium')}</dt><dd>{versions.chromium ?? t('diagnostics.versions.notInstalled')}</dd>
        <dt>{t('diagnostics.versions.sqlite')}</dt><dd>{versions.sqlite} · {versions.cipher}</dd>
        <dt>{t('diagnostics.versions.migration')}</dt><dd>{versions.migration ?? '—'}</dd>
      </dl>
    </div>
  );
}

/** The update channel: what runs, the last check, and what was found, staged or refused and why. */
function UpdateFacts({ updates }: { updates: Report['updates'] }) {
  const { t, i18n } = useTranslation();
  const { dateTime } = useDateFormat();
  const key = updates.keyPinned === null ? 'keyNotProvisioned' : updates.keyPinned ? 'keyPinned' : 'keyMissing';
  // Idle before any check is not "up to date": nothing has been asked yet.
  const stateWord = updates.state === 'idle' && updates.lastCheckedAt === null ? 'unchecked' : updates.state;
  return (
    <div className="diagnostics-group" data-testid="diagnostics-updates" data-state={updates.state}>
      <h3>{t('diagnostics.updates.heading')}</h3>
      <dl className="facts">
        <dt>{t('diagnostics.updates.installed')}</dt><dd>{updates.installedVersion} ({updates.architecture})</dd>
        <dt>{t('diagnostics.updates.key')}</dt><dd>{t(`diagnostics.updates.${key}`)}</dd>
        <dt>{t('diagnostics.updates.state')}</dt><dd data-testid="updates-state">{t(`diagnostics.updates.states.${stateWord}`)}</dd>
        <dt>{t('diagnostics.updates.lastCheck')}</dt><dd>{updates.lastCheckedAt ? dateTime(updates.lastCheckedAt) : t('diagnostics.updates.never')}</dd>
        {updates.version && <><dt>{t('diagnostics.updates.version')}</dt><dd>{updates.version}</dd></>}
        {updates.reason && (
          <>
            <dt>{t('diagnostics.updates.reason')}</dt>
            <dd data-testid="updates-reason">
              {reasonWords(updates.reason, (words) => (i18n.exists(words) ? t(words) : null))}
              <span className="technical"> {updates.reason.code}</span>
            </dd>
          </>
        )}
        <dt>{t('diagnostics.updates.installer')}</dt>
        <dd data-testid="updates-installer" data-outcome={updates.installer?.outcome ?? 'none'}>
          <InstallerWords installer={updates.installer} />
        </dd>
      </dl>
    </div>
  );
}

/** What the privileged installer last did: the outcome (or the phase under way), the versions, when; the code for the technician. */
function InstallerWords({ installer }: { installer: Report['updates']['installer'] }) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  if (installer === null) return <>{t('diagnostics.updates.installerNever')}</>;
  const versions = installer.from && installer.to ? ` ${installer.from} → ${installer.to}` : installer.to ? ` ${installer.to}` : '';
  return (
    <>
      {t(`diagnostics.updates.installerOutcomes.${installer.outcome}`)}
      {installer.phase && ` (${t(`diagnostics.updates.installerPhases.${installer.phase}`)})`}
      {versions}
      {installer.at && `, ${dateTime(installer.at)}`}
      {installer.code && <span className="technical"> {installer.code}</span>}
    </>
  );
}

/** A refusal or wait in the screen's words: the update section's own, the error's, else the kiosk's English message. */
function reasonWords(reason: NonNullable<Report['updates']['reason']>, translate: (key: string) => string | null): string {
  return translate(`diagnostics.updates.reasons.${reason.code}`) ?? translate(`errors.${reason.code}`) ?? reason.message;
}
