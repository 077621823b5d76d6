// Shows an RPC failure in the screen's language: known codes have translations, the
// rest fall back to a generic sentence (the kiosk's English message goes to the title).
import { useTranslation } from 'react-i18next';
import { RpcError } from '../rpc/client';

export function ErrorText({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const code = error instanceof RpcError ? error.code : 'generic';
  const key = i18n.exists(`errors.${code}`) ? `errors.${code}` : 'errors.generic';
  const title = error instanceof Error ? error.message : undefined;
  return <p className="error" role="alert" data-testid="error" data-code={code} title={title}>{t(key)}</p>;
}
