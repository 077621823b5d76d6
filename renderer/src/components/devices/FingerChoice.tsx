// The fingers an enrollment asks for: one to ten, picked on the hand drawing or with the
// buttons beside it (the touch targets), kept and shown in ten-print order (right thumb 1 …
// left little 10), the two index fingers by default. Saved with devices.setFingers.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceSetup } from '../../../../main/rpc/procedures/devices';
import { useAction } from '../../hooks/useAction';
import { useKiosk } from '../../kiosk-context';
import { ErrorText } from '../ErrorText';
import { HandDiagram, type FingerMark } from '../HandDiagram';

const TEN_PRINT = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
/** Right and left index finger. */
const DEFAULT_FINGERS = [2, 7];

export function FingerChoice({ saved, onSetup }: { saved: readonly number[]; onSetup(setup: z.infer<typeof DeviceSetup>): void }) {
  const { t } = useTranslation();
  const client = useKiosk();
  const [chosen, setChosen] = useState<readonly number[]>(saved);
  const [done, setDone] = useState(false);
  const save = useAction();
  const sorted = (fingers: Iterable<number>) => TEN_PRINT.filter((position) => [...fingers].includes(position));
  const toggle = (position: number) => {
    setDone(false);
    setChosen((current) => sorted(current.includes(position) ? current.filter((finger) => finger !== position) : [...current, position]));
  };
  const changed = chosen.join() !== saved.join();
  const marks = Object.fromEntries(chosen.map((position): [number, FingerMark] => [position, 'captured']));

  return (
    <section className="panel finger-choice" data-testid="finger-choice">
      <h3>{t('devices.fingers.heading')}</h3>
      <p>{t('devices.fingers.intro')}</p>
      <div className="finger-choice-layout">
        <HandDiagram marks={marks} onPick={toggle} />
        <div>
          <div className="finger-toggles" role="group" aria-label={t('devices.fingers.heading')}>
            {TEN_PRINT.map((position) => (
              <button key={position} type="button" aria-pressed={chosen.includes(position)} data-testid={`finger-toggle-${position}`}
                onClick={() => toggle(position)}>
                <span className="finger-number">{position}</span> {t(`fingerprint.fingers.${position}`)}
              </button>
            ))}
          </div>
        </div>
      </div>
      <p data-testid="finger-order">
        {chosen.length === 0 ? t('devices.fingers.none')
          : t('devices.fingers.order', { fingers: chosen.map((position) => t(`fingerprint.fingers.${position}`)).join(' · ') })}
      </p>
      {done && !changed && <p className="verdict verdict-valid" data-testid="fingers-saved">{t('devices.fingers.saved')}</p>}
      <ErrorText error={save.error} />
      <div className="actions start wrap">
        <button type="button" data-testid="fingers-default" onClick={() => { setDone(false); setChosen(DEFAULT_FINGERS); }}>
          {t('devices.fingers.default')}
        </button>
        <button type="button" className="primary" data-testid="fingers-save" disabled={!changed || chosen.length === 0 || save.busy}
          onClick={() => void save.run(async () => {
            const setup = await client.call('devices.setFingers', { fingers: [...chosen] });
            onSetup(setup);
            setChosen(setup.fingers);
            setDone(true);
          })}>
          {t('devices.fingers.save')}
        </button>
      </div>
    </section>
  );
}
