// The acknowledgement slip as a printable page (A5, portrait) in the person's language: the
// enrollment number large, when and where, the kind of enrollment, the name as on the document,
// what was taken and what was recorded as not taken (and why), what happens next, and the QR
// code with the signed payload. The words come from resources/locales/, as on the screens;
// every value is escaped.

import QRCode from 'qrcode';
import type { Language } from '../rpc/schemas.js';
import { kioskTranslator } from '../kiosk/locales.js';
import type { SlipContent } from './slip-content.js';
import type { z } from 'zod';

type LanguageCode = z.infer<typeof Language>;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The slip's HTML; self-contained (styles and the QR code inline, no scripts, nothing fetched). */
export async function slipHtml(slip: SlipContent, language: LanguageCode): Promise<string> {
  const t = await kioskTranslator(language);
  const finger = (position: number) => t(`fingerprint.fingers.${position}`);
  const when = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(slip.sealedAt));
  const taken = [
    t('slip.document'),
    ...(slip.captured.face ? [t('slip.face')] : []),
    ...slip.captured.fingers.map((position) => t('slip.finger', { finger: finger(position) })),
  ];
  const { notCaptured } = slip;
  const notTaken = [
    ...(notCaptured.face ? [t('slip.noFace', { reason: t(`faceException.reasons.${notCaptured.face}`) })] : []),
    ...(notCaptured.liveness ? [t('slip.noLiveness', { reason: t(`livenessException.reasons.${notCaptured.liveness}`) })] : []),
    ...notCaptured.fingers.map(({ position, reason }) =>
      t('slip.noFinger', { finger: finger(position), reason: t(`fingerprint.exception.reasons.${reason}`) })),
  ];
  const qr = await QRCode.toString(slip.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const row = (label: string, value: string) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`;
  const list = (items: string[]) => `<ul>${items.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escape(`${t('slip.title')} ${slip.number}`)}</title>
<style>
  @page { size: A5 portrait; margin: 12mm; }
  body { font-family: "Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #000; margin: 0; }
  h1 { font-size: 15pt; margin: 0 0 1mm; }
  .kind { margin: 0 0 4mm; font-size: 11pt; }
  .number { border: 0.6mm solid #000; border-radius: 2mm; padding: 2mm 3mm; margin-bottom: 4mm; }
  .number span { display: block; font-size: 9pt; }
  .number strong { font-family: "DejaVu Sans Mono", monospace; font-size: 17pt; letter-spacing: 0.5mm; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
  th { text-align: left; font-weight: normal; width: 38%; padding: 0.8mm 2mm 0.8mm 0; vertical-align: top; }
  td { font-weight: bold; padding: 0.8mm 0; }
  h2 { font-size: 10.5pt; margin: 3mm 0 1mm; }
  ul { margin: 0; padding-left: 5mm; }
  .next { margin-top: 4mm; }
  .qr { display: flex; gap: 4mm; align-items: center; margin-top: 4mm; }
  .qr svg { width: 34mm; height: 34mm; flex: none; }
  .qr p { font-size: 8.5pt; margin: 0; }
  .keep { font-weight: bold; margin-top: 3mm; }
</style></head>
<body>
  <h1>${escape(t('slip.title'))}</h1>
  <p class="kind">${escape(t(`slip.kinds.${slip.flow}`))}</p>
  <div class="number"><span>${escape(t('slip.number'))}</span><strong data-number>${escape(slip.number)}</strong></div>
  <table>
    ${row(t('slip.date'), when)}
    ${row(t('slip.place'), slip.kioskName)}
    ${row(t('slip.name'), slip.name)}
    ${slip.company ? row(t('slip.company'), `${slip.company.name} (${slip.company.registrationNumber})`) : ''}
  </table>
  <h2>${escape(t('slip.captured'))}</h2>
  ${list(taken)}
  ${notTaken.length > 0 ? `<h2>${escape(t('slip.notCaptured'))}</h2>${list(notTaken)}` : ''}
  <p class="next">${escape(t(`slip.next.${slip.flow}`))}</p>
  <div class="qr">${qr}<p>${escape(t('slip.qr'))}</p></div>
  <p class="keep">${escape(t('slip.keep'))}</p>
</body></html>
`;
}
