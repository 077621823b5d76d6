// Staff login with name and PIN, or by an enrolled finger when the fingerprint scanner is
// there; shows failures in the screen's language and, after too many wrong PINs, how long to
// wait or to log in by finger (`login.pinWait.*`).
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Operator } from '../../../main/rpc/contract';
import { CredentialForm } from '../components/CredentialForm';
import { useKiosk } from '../kiosk-context';

export function LoginScreen({ reason, onLoggedIn, onCancel }: {
  reason?: string;
  onLoggedIn(operator: z.infer<typeof Operator>): void;
  onCancel(): void;
}) {
  const client = useKiosk();
  const { t } = useTranslation();
  const cancel = () => {
    void client.call('fingerprint.cancel', {}).catch(() => undefined); // a finger login may be waiting
    onCancel();
  };
  return (
    <main className="screen login" data-testid="login-screen">
      <h1>{t('login.heading')}</h1>
      {reason && <p className="lead">{t(reason)}</p>}
      <CredentialForm testId="login" askName errorScope="login" submitLabel={t('login.submit')} busyLabel={t('login.submit')}
        onSubmit={async (credential) => {
          const { operator } = credential.method === 'pin'
            ? await client.call('auth.login', { name: credential.name ?? '', pin: credential.pin })
            : await client.call('auth.loginFingerprint', {});
          onLoggedIn(operator);
        }}
        secondary={<button type="button" data-testid="login-cancel" onClick={cancel}>{t('flow.cancel')}</button>} />
    </main>
  );
}
