// A printed slip as the person gets it: the picture of the very page that was printed (or
// saved as PDF on a station without a printer), and where it went.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { PrintedSlip } from '../../../main/rpc/procedures/records';

export function SlipPreview({ slip }: { slip: z.infer<typeof PrintedSlip> }) {
  const { t } = useTranslation();
  const { delivery } = slip;
  return (
    <figure className="slip-preview" data-testid="slip-preview" data-delivery={delivery.kind}>
      <img src={slip.picture} alt={t('slip.title')} data-testid="slip-picture" />
      <figcaption data-testid="slip-delivery">
        {delivery.kind === 'printed' ? t('finished.printed', { printer: delivery.printer }) : t('finished.savedAsPdf')}
      </figcaption>
    </figure>
  );
}
