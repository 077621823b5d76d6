// The technician's provisioning panel: register this kiosk with the authority (its URL and a
// one-time token), then show the kiosk id and the key fingerprints to compare with the
// authority's records.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDateFormat } from '../hooks/useDateFormat';
import type { z } from 'zod';
import type { ProvisioningStatus } from '../../../main/rpc/procedures/sync';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';

type Status = z.infer<typeof ProvisioningStatus>;

/** A key id in groups of four hex digits, as a person reads it aloud. */
const grouped = (keyId: string) => keyId.match(/.{1,4}/g)!.join(' ');

export function ProvisioningPanel() {
  const client = useKiosk();
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [authorityUrl, setAuthorityUrl] = useState('');
  const [token, setToken] = useState('');
  const [name, setName] = useState('');

  useEffect(() => {
    client.call('provisioning.status', {}).then(setStatus, setError);
  }, [client]);

  const register = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    client.call('provisioning.register', { authorityUrl, token, name })
      .then((registered) => { setStatus(registered); setError(null); setToken(''); }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="panel" data-testid="provisioning-panel">
      <h2>{t('provisioning.heading')}</h2>
      {status?.provisioned && status.fingerprints ? (
        <dl className="facts" data-testid="provisioning-done">
          <dt>{t('provisioning.kioskId')}</dt><dd data-testid="kiosk-id">{status.kioskId}</dd>
          <dt>{t('provisioning.name')}</dt><dd>{status.name}</dd>
          <dt>{t('provisioning.authority')}</dt><dd>{status.authorityUrl}</dd>
          <dt>{t('provisioning.registeredAt')}</dt><dd>{status.registeredAt && dateTime(status.registeredAt)}</dd>
          {(['kioskSigning', 'kioskSealing', 'authoritySigning', 'authoritySealing'] as const).map((key) => (
            <FingerprintRow key={key} label={t(`provisioning.fingerprints.${key}`)} keyId={status.fingerprints![key]} testId={`fingerprint-${key}`} />
          ))}
        </dl>
      ) : (
        <form className="form" onSubmit={register} data-testid="provisioning-form" noValidate>
          <p>{t('provisioning.intro')}</p>
          <label>{t('provisioning.authority')}
            <input name="authorityUrl" type="url" inputMode="url" placeholder="https://authority.example:8443" value={authorityUrl}
              onChange={(e) => setAuthorityUrl(e.target.value)} required />
          </label>
          <label>{t('provisioning.token')}
            <input name="token" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} required />
          </label>
          <label>{t('provisioning.name')}
            <input name="kioskName" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </label>
          <button type="submit" className="primary" disabled={busy} data-testid="provision-submit">
            {busy ? t('provisioning.registering') : t('provisioning.register')}
          </button>
        </form>
      )}
      <ErrorText error={error} />
    </section>
  );
}

function FingerprintRow({ label, keyId, testId }: { label: string; keyId: string; testId: string }) {
  return (<><dt>{label}</dt><dd className="key-id" data-testid={testId}>{grouped(keyId)}</dd></>);
}
