// The support bundle on the diagnostics tab: the USB sticks the kiosk finds mounted (look
// again after plugging one in), another folder typed as a fallback, and the file written.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { UsbFolder } from '../../../main/rpc/procedures/diagnostics';
import { useKiosk } from '../kiosk-context';
import { ErrorText } from './ErrorText';

/** Sizes in the screen's language: "8.1 kB", "12.3 GB" (decimal units, as disks are sold). */
export function useByteFormat(): (bytes: number) => string {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const units: Array<[number, string]> = [[1e12, 'terabyte'], [1e9, 'gigabyte'], [1e6, 'megabyte'], [1e3, 'kilobyte'], [1, 'byte']];
    return (bytes: number) => {
      const [size, unit] = units.find(([scale]) => bytes >= scale) ?? units.at(-1)!;
      return new Intl.NumberFormat(i18n.language, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / size);
    };
  }, [i18n.language]);
}

export function SupportBundleForm({ disabled }: { disabled: boolean }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const bytes = useByteFormat();
  const [sticks, setSticks] = useState<Array<z.infer<typeof UsbFolder>>>([]);
  const [folder, setFolder] = useState('');
  const [writing, setWriting] = useState(false);
  const [written, setWritten] = useState<{ file: string; bytes: number } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const lookForSticks = useCallback(() => {
    client.call('diagnostics.usbFolders', {}).then((found) => {
      setSticks(found);
      setFolder((chosen) => chosen || found[0]?.path || '');
    }, setError);
  }, [client]);
  useEffect(lookForSticks, [lookForSticks]);

  const write = (event: FormEvent) => {
    event.preventDefault();
    setWriting(true);
    setWritten(null);
    setError(null);
    client.call('diagnostics.writeSupportBundle', { folder }).then(setWritten, setError).finally(() => setWriting(false));
  };

  return (
    <form className="diagnostics-group support-bundle" onSubmit={write} data-testid="support-bundle" noValidate>
      <h3>{t('diagnostics.bundle.heading')}</h3>
      <p className="hint">{t('diagnostics.bundle.intro')}</p>
      {sticks.length > 0 ? (
        <fieldset className="stick-choice">
          <legend>{t('diagnostics.bundle.sticks')}</legend>
          {sticks.map((stick) => (
            <button key={stick.path} type="button" aria-pressed={folder === stick.path} data-testid="usb-stick" onClick={() => setFolder(stick.path)}>
              {stick.label}
            </button>
          ))}
        </fieldset>
      ) : <p data-testid="no-sticks">{t('diagnostics.bundle.noSticks')}</p>}
      <div className="form inline">
        <label>{t('diagnostics.bundle.otherFolder')}
          <input name="bundleFolder" value={folder} onChange={(e) => setFolder(e.target.value)} required />
        </label>
        <button type="button" onClick={lookForSticks}>{t('diagnostics.bundle.lookAgain')}</button>
        <button type="submit" className="primary" data-testid="support-bundle-write" disabled={disabled || writing || folder.trim() === ''}>
          {writing ? t('diagnostics.bundle.writing') : t('diagnostics.bundle.write')}
        </button>
      </div>
      {written && (
        <p className="diagnostics-summary ok" data-testid="support-bundle-written">
          {t('diagnostics.bundle.written', { file: written.file.split('/').pop(), size: bytes(written.bytes) })}
        </p>
      )}
      <ErrorText error={error} />
    </form>
  );
}
