// Shows an RPC failure in the screen's language: every code the kiosk sends has a translation
// (a screen may word some of them for its own situation under `<scope>.errors`; a device's
// protocol codes share their device family's message; a test checks every locale has them). The kiosk's own message, which may name devices or ports,
// stays in the kiosk's log and is never put on the screen. A device that is not ready says
// which device and what is wrong (`details.role`, `details.problem`): the status bar's sentence for it.
import { useTranslation } from 'react-i18next';
import { RpcError } from '../rpc/client';

export function ErrorText({ error, scope }: { error: unknown; scope?: string }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const code = error instanceof RpcError ? error.code : 'generic';
  const { role, problem } = error instanceof RpcError ? error.details : {};
  const device = typeof role === 'string' && typeof problem === 'string' ? [`status.problems.${role}.${problem}`] : [];
  const keys = [...(scope ? [`${scope}.errors.${code}`] : []), ...device, `errors.${code}`, `errors.family.${code.split('_')[0]}`];
  const key = keys.find((candidate) => i18n.exists(candidate)) ?? 'errors.generic';
  return <p className="error" role="alert" data-testid="error" data-code={code}>{t(key)}</p>;
}
