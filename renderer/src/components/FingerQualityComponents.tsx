// What a finger image's quality estimate is made of (contrast, ridge flow, usable area), each
// as a meter, and what kind of score it is: the fingerprint step and the technician's scanner test.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { FingerQuality } from '../../../main/rpc/contract';

export function FingerQualityComponents({ quality }: { quality: z.infer<typeof FingerQuality> }) {
  const { t } = useTranslation();
  return (
    <>
      {(['contrast', 'orientationCoherence', 'usableArea'] as const).map((component) => (
        <div className="quality-component" key={component} data-testid={`quality-${component}`}>
          <span>{t(`fingerprint.quality.${component}`)}</span>
          <span>{Math.round(100 * quality.components[component])} %</span>
          <meter min={0} max={1} value={quality.components[component]} />
        </div>
      ))}
      <p className="quality-method" title={quality.method}>{t('fingerprint.quality.method')}</p>
    </>
  );
}
