// The portrait a simulated passport carries when none is given: a head-and-shoulders drawing at
// the proportions of an ICAO portrait (240 × 320, plain light background, the face about half
// the height), skin shaded and grained like a printed photo, encoded as a baseline JPEG of
// about the size a real DG2 image has. Drawn, not photographed, so no real person's face
// ships with the kiosk; the simulator accepts any JPEG or JPEG 2000 portrait instead.

import jpeg from 'jpeg-js';

export interface TestPortrait {
  /** JPEG, a JP2 file or a JPEG 2000 codestream. */
  readonly image: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const WIDTH = 240;
const HEIGHT = 320;

type Rgb = readonly [number, number, number];

interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
}

/** Distance from the centre in units of the radii: below 1 inside. */
const reach = ({ cx, cy, rx, ry }: Ellipse, x: number, y: number): number => Math.hypot((x - cx) / rx, (y - cy) / ry);

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

const HEAD: Ellipse = { cx: 120, cy: 138, rx: 58, ry: 76 };
const HAIR: Ellipse = { cx: 120, cy: 112, rx: 66, ry: 74 };
const EARS: readonly Ellipse[] = [{ cx: 62, cy: 142, rx: 9, ry: 17 }, { cx: 178, cy: 142, rx: 9, ry: 17 }];
const EYES: readonly Ellipse[] = [{ cx: 97, cy: 134, rx: 12, ry: 6 }, { cx: 143, cy: 134, rx: 12, ry: 6 }];
const IRISES: readonly Ellipse[] = [{ cx: 97, cy: 134, rx: 5, ry: 5 }, { cx: 143, cy: 134, rx: 5, ry: 5 }];
const BROWS: readonly Ellipse[] = [{ cx: 97, cy: 121, rx: 15, ry: 3 }, { cx: 143, cy: 121, rx: 15, ry: 3 }];
const NOSE: Ellipse = { cx: 120, cy: 162, rx: 9, ry: 6 };
const MOUTH: Ellipse = { cx: 120, cy: 188, rx: 20, ry: 5 };
const NECK = { left: 98, right: 142, top: 200, bottom: 250 } as const;
const SHOULDERS: Ellipse = { cx: 120, cy: 330, rx: 118, ry: 88 };

const SKIN: Rgb = [224, 172, 140];
const SKIN_SHADE: Rgb = [176, 122, 96];
const HAIR_COLOUR: Rgb = [58, 40, 30];
const JACKET: Rgb = [46, 52, 70];

/** The colour at (x, y), back to front: background, shoulders, neck, hair, ears, face and its features. */
function pixel(x: number, y: number): Rgb {
  let colour: Rgb = mix([214, 222, 230], [190, 200, 212], y / HEIGHT);
  if (reach(SHOULDERS, x, y) < 1) colour = mix(JACKET, [30, 34, 48], Math.abs(x - 120) / 120);
  if (x >= NECK.left && x <= NECK.right && y >= NECK.top && y <= NECK.bottom) colour = mix(SKIN, SKIN_SHADE, 0.35 + (y - NECK.top) / 200);
  if (reach(HAIR, x, y) < 1 && y < HEAD.cy + 10) colour = HAIR_COLOUR;
  for (const ear of EARS) if (reach(ear, x, y) < 1) colour = SKIN_SHADE;
  const face = reach(HEAD, x, y);
  if (face < 1 && !(reach(HAIR, x, y) < 1 && y < 92)) {
    colour = mix(SKIN, SKIN_SHADE, Math.max(0, face - 0.55) * 1.6);
    for (const brow of BROWS) if (reach(brow, x, y) < 1) colour = HAIR_COLOUR;
    for (const eye of EYES) if (reach(eye, x, y) < 1) colour = [240, 238, 232];
    for (const iris of IRISES) if (reach(iris, x, y) < 1) colour = reach(iris, x, y) < 0.45 ? [20, 16, 14] : [92, 70, 48];
    if (reach(NOSE, x, y) < 1) colour = mix(colour, SKIN_SHADE, 0.5);
    if (reach(MOUTH, x, y) < 1) colour = [168, 88, 84];
  }
  return colour;
}

let drawn: TestPortrait | null = null;

/** The drawn portrait as a JPEG (about 10 KB); made once per process. */
export function testPortraitJpeg(): TestPortrait {
  if (!drawn) {
    const data = Buffer.alloc(WIDTH * HEIGHT * 4);
    let grain = 0x2545f491;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        grain ^= grain << 13;
        grain ^= grain >>> 17;
        grain ^= grain << 5;
        const noise = ((grain >>> 0) % 13) - 6;
        const [r, g, b] = pixel(x, y);
        const i = (y * WIDTH + x) * 4;
        data[i] = Math.max(0, Math.min(255, Math.round(r + noise)));
        data[i + 1] = Math.max(0, Math.min(255, Math.round(g + noise)));
        data[i + 2] = Math.max(0, Math.min(255, Math.round(b + noise)));
        data[i + 3] = 255;
      }
    }
    drawn = { image: new Uint8Array(jpeg.encode({ data, width: WIDTH, height: HEIGHT }, 85).data), width: WIDTH, height: HEIGHT };
  }
  return drawn;
}
