// Sample documents on a simulated document reader, for demos, training, the technician's reader
// test and the end-to-end tests; with a simulated chip reader, which chip the document carries.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { ChipScenario } from '../../../main/rpc/contract';
import { useKiosk } from '../kiosk-context';

type ChipSample = z.infer<typeof ChipScenario> | 'none';

const CHIP_SAMPLES: readonly ChipSample[] = ['valid', 'altered-dg1', 'rogue-ds', 'expired-ds', 'unknown-csca', 'no-pace', 'can-only', 'removed-mid-read', 'none'];

export function DocumentSimulatorPanel({ kind, chipSimulated }: { kind: 'mrz' | 'cnid'; chipSimulated: boolean }) {
  const client = useKiosk();
  const { t } = useTranslation();
  const [chip, setChip] = useState<ChipSample>('valid');
  const simulate = (action: 'present-document' | 'present-bad-document' | 'remove-document', sample?: 'passport' | 'id-card' | 'cnid') =>
    void client.call('devices.simulate', { action, ...(sample ? { sample } : {}), ...(chipSimulated ? { chip } : {}) }).catch(() => undefined);
  return (
    <aside className="panel simulator" data-testid="simulator-panel">
      <h3>{t('document.simulator.heading')}</h3>
      {kind === 'mrz' && chipSimulated && (
        <label className="simulator-chip">
          {t('document.simulator.chip')}{' '}
          <select data-testid="simulate-chip-scenario" value={chip} onChange={(event) => setChip(event.target.value as ChipSample)}>
            {CHIP_SAMPLES.map((sample) => <option key={sample} value={sample}>{t(`document.simulator.chips.${sample}`)}</option>)}
          </select>
        </label>
      )}
      <div className="actions start">
        {kind === 'mrz' ? (
          <>
            <button type="button" data-testid="simulate-passport" onClick={() => simulate('present-document', 'passport')}>{t('document.simulator.passport')}</button>
            <button type="button" data-testid="simulate-id-card" onClick={() => simulate('present-document', 'id-card')}>{t('document.simulator.idCard')}</button>
            {chipSimulated && (
              <button type="button" data-testid="simulate-remove" onClick={() => simulate('remove-document')}>{t('document.simulator.removeDocument')}</button>
            )}
          </>
        ) : (
          <>
            <button type="button" data-testid="simulate-cnid" onClick={() => simulate('present-document', 'cnid')}>{t('document.simulator.cnid')}</button>
            <button type="button" data-testid="simulate-remove" onClick={() => simulate('remove-document')}>{t('document.simulator.remove')}</button>
          </>
        )}
        <button type="button" data-testid="simulate-misread" onClick={() => simulate('present-bad-document')}>{t('document.simulator.misread')}</button>
      </div>
    </aside>
  );
}
