// Shows an RPC failure in the screen's language: known codes have translations (a screen may
// word some of them for its own situation under `<scope>.errors`), the rest fall back to a
// generic sentence (the kiosk's English message goes to the title).
import { useTranslation } from 'react-i18next';
import { RpcError } from '../rpc/client';

export function ErrorText({ error, scope }: { error: unknown; scope?: string }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const code = error instanceof RpcError ? error.code : 'generic';
  const keys = [...(scope ? [`${scope}.errors.${code}`] : []), `errors.${code}`];
  const key = keys.find((candidate) => i18n.exists(candidate)) ?? 'errors.generic';
  const title = error instanceof Error ? error.message : undefined;
  return <p className="error" role="alert" data-testid="error" data-code={code} title={title}>{t(key)}</p>;
}
