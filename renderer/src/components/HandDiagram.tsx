// Both hands seen from above, palms down as the person holds them over the sensor, with
// each finger coloured by its state: the one to place now highlighted, captured ones
// ticked off, exceptions greyed. Positions are ISO's: 1–5 right thumb…little, 6–10 left.
// With `onPick`, a finger tapped on the drawing is picked (the technician's choice of fingers).
import { useTranslation } from 'react-i18next';

export type FingerMark = 'active' | 'pending' | 'captured' | 'exception' | 'not-requested';

/**
 * A right hand's fingers (thumb, index, middle, ring, little) on a palm around 0,0: where each
 * joins the palm, its length and its slant in degrees. The left hand is the mirror image.
 */
const FINGERS = [
  { x: -46, y: -22, length: 74, slant: -42 },
  { x: -39, y: -82, length: 100, slant: -4 },
  { x: -13, y: -84, length: 114, slant: 0 },
  { x: 13, y: -82, length: 104, slant: 3 },
  { x: 38, y: -76, length: 80, slant: 9 },
] as const;
const FINGER_WIDTH = 22;

export function HandDiagram({ marks, onPick }: { marks: Partial<Record<number, FingerMark>>; onPick?(position: number): void }) {
  const { t } = useTranslation();
  const hand = (first: number) => (
    <>
      {FINGERS.map((finger, index) => {
        const position = first + index;
        const mark = marks[position] ?? 'not-requested';
        return (
          <g key={position} className={`finger finger-${mark}`} transform={`translate(${finger.x} ${finger.y}) rotate(${finger.slant})`}
            data-testid={`finger-${position}`} data-mark={mark} onClick={onPick && (() => onPick(position))}>
            <title>{t(`fingerprint.fingers.${position}`)}</title>
            <rect x={-FINGER_WIDTH / 2} y={-finger.length} width={FINGER_WIDTH} height={finger.length + 12} rx={FINGER_WIDTH / 2} />
            <ellipse className="fingertip" cx={0} cy={17 - finger.length} rx={FINGER_WIDTH / 2 - 4} ry={12} />
          </g>
        );
      })}
      <rect className="palm" x={-52} y={-95} width={104} height={110} rx={30} />
      <rect className="palm" x={-36} y={5} width={72} height={34} rx={8} />
    </>
  );
  return (
    <svg className="hand-diagram" viewBox="0 0 480 270" role="img" aria-label={t('fingerprint.handDiagram')} data-testid="hand-diagram">
      <g transform="translate(125 215) scale(-1 1)">{hand(6)}</g>
      <g transform="translate(355 215)">{hand(1)}</g>
      <text x={125} y={266} textAnchor="middle">{t('fingerprint.leftHand')}</text>
      <text x={355} y={266} textAnchor="middle">{t('fingerprint.rightHand')}</text>
    </svg>
  );
}
