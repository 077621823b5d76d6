// The consent text in the screen's language with its version, and the box the person ticks.
// The kiosk keeps the version, the language it was read in and the time it was ticked.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { ConsentAcceptance, Enrollment } from '../../../main/rpc/contract';
import type { ConsentText } from '../../../main/rpc/procedures/review';
import type { LanguageCode } from '../i18n/i18n';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';

export function ConsentPanel({ consent, onChange }: {
  consent: z.infer<typeof ConsentAcceptance> | null;
  onChange(view: z.infer<typeof Enrollment>): void;
}) {
  const client = useKiosk();
  const { t, i18n } = useTranslation();
  const language = i18n.language as LanguageCode;
  const [text, setText] = useState<z.infer<typeof ConsentText> | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    client.call('enrollment.consentText', { language }).then((loaded) => { if (live) setText(loaded); }, setError);
    return () => { live = false; };
  }, [client, language]);

  const tick = (accepted: boolean) => {
    if (!text) return;
    client.call('enrollment.acceptConsent', { accepted, version: text.version, language: text.language })
      .then((view) => { setError(null); onChange(view); }, setError);
  };

  return (
    <section className="panel consent" data-testid="consent-panel" lang={text?.language}>
      <div className="panel-top">
        <h3>{t('review.consent.heading')}</h3>
        {text && <span className="muted" data-testid="consent-version">{t('review.consent.version', { version: text.version })}</span>}
      </div>
      <div className="consent-text" data-testid="consent-text">
        {text?.text.split('\n\n').map((paragraph, index) => <p key={index}>{paragraph}</p>)}
      </div>
      <label className="consent-accept">
        <input type="checkbox" data-testid="consent-accept" checked={consent !== null} disabled={!text}
          onChange={(event) => tick(event.target.checked)} />
        <span>{t('review.consent.accept')}</span>
      </label>
      <ErrorText error={error} />
    </section>
  );
}
