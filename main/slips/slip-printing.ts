// Printing a slip from what was kept of it: drawn in the asked language (the person's, from the
// consent, unless another is asked for), sent to the printer or saved as PDF, and shown on the
// screen as the picture of the very PDF that was printed.
import type { z } from 'zod';
import type { Language } from '../rpc/schemas.js';
import type { SlipContent } from './slip-content.js';
import { deliverSlip, type SlipDelivery, type SlipOutput } from './slip-delivery.js';
import { slipHtml } from './slip-document.js';
import { slipPdf, slipPicture } from './slip-renderer.js';

export interface PrintedSlip {
  number: string;
  /** The printed page as a PNG data: URL. */
  picture: string;
  delivery: SlipDelivery;
}

export async function printSlip(slip: SlipContent, output: SlipOutput, language: z.infer<typeof Language> = slip.language): Promise<PrintedSlip> {
  const pdf = await slipPdf(await slipHtml(slip, language));
  const [delivery, png] = await Promise.all([deliverSlip(pdf, slip.number, output), slipPicture(pdf)]);
  return { number: slip.number, picture: `data:image/png;base64,${png.toString('base64')}`, delivery };
}
