// What an exception carries so that the authority can see why something was not captured:
// the reason, the officer's note, a photo from the camera of what the officer saw (a bandaged
// hand, a person who cannot face the camera), who recorded it and when. The photo stays in
// memory with the enrollment and reaches the disk only sealed.

import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { decodeImage } from '../face/rgba-image.js';
import type { OperatorRef } from '../rpc/schemas.js';

export type OperatorRefView = z.infer<typeof OperatorRef>;

export interface ExceptionEvidence<R extends string = string> {
  readonly reason: R;
  readonly note: string;
  /** JPEG from the kiosk camera; null only where no camera could take one. */
  readonly photo: Uint8Array | null;
  readonly by: OperatorRefView | null;
  readonly at: string;
}

const JPEG_START = [0xff, 0xd8, 0xff];

/** The JPEG of an exception photo, refused unless it is one and decodes. */
export function exceptionPhoto(base64: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (!JPEG_START.every((byte, index) => bytes[index] === byte) || !decodes(bytes)) {
    throw new GatehouseError('EXCEPTION_PHOTO_UNREADABLE', 'The photo could not be read; take it again.', { bytes: bytes.length });
  }
  return bytes;
}

function decodes(jpeg: Uint8Array): boolean {
  try {
    decodeImage(jpeg);
    return true;
  } catch (error) {
    if (error instanceof GatehouseError) return false;
    throw error;
  }
}

export interface EvidenceInput<R extends string> {
  reason: R;
  note: string;
  photo: string | null;
}

/** The exception as recorded now by `by` (null: nobody logged in). */
export function recordEvidence<R extends string>(input: EvidenceInput<R>, by: OperatorRefView | null, at: Date): ExceptionEvidence<R> {
  return { reason: input.reason, note: input.note, photo: input.photo === null ? null : exceptionPhoto(input.photo), by, at: at.toISOString() };
}

/** What a screen shows of an exception: the photo only as a flag (the pictures come separately). */
export function evidenceView<R extends string>({ reason, note, photo, by, at }: ExceptionEvidence<R>) {
  return { reason, note, by, at, photo: photo !== null };
}
