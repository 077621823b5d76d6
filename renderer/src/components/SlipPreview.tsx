// A printed slip as the person gets it: the picture of the very page that was printed (or
// saved as PDF on a station without a printer), and where it went — or that it waits for a
// printer that is not ready (the kiosk's print job prints it once the printer is back).
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { PrintedSlip } from '../../../main/rpc/procedures/records';

export function SlipPreview({ slip }: { slip: z.infer<typeof PrintedSlip> }) {
  const { t } = useTranslation();
  const { delivery } = slip;
  const printed = delivery.kind === 'printed';
  return (
    <figure className="slip-preview" data-testid="slip-preview" data-delivery={delivery.kind}>
      <img src={slip.picture} alt={t('slip.title')} data-testid="slip-picture" />
      <figcaption data-testid="slip-delivery">
        {delivery.kind === 'saved' ? t('finished.savedAsPdf')
          : t(printed ? 'finished.printed' : 'finished.queued', { printer: delivery.printer })}
      </figcaption>
    </figure>
  );
}
