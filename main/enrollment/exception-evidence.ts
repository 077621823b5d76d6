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
/** A camera photo is 640×480; a few times that is plenty, and keeps one photo from stalling the kiosk. */
const MAX_PHOTO_BYTES = 1_500_000;
const MAX_PHOTO_PIXELS = 4_000_000;

/** The JPEG of an exception photo, refused unless it is one, of a camera's size, and decodes. */
export function exceptionPhoto(base64: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  const size = JPEG_START.every((byte, index) => bytes[index] === byte) ? jpegSize(bytes) : null;
  const fits = size !== null && bytes.length <= MAX_PHOTO_BYTES && size.width * size.height <= MAX_PHOTO_PIXELS;
  if (!fits || !decodes(bytes)) {
    throw new GatehouseError('EXCEPTION_PHOTO_UNREADABLE', 'The photo could not be read; take it again.', { bytes: bytes.length });
  }
  return bytes;
}

/**
 * The frame size a JPEG declares, read before anything is decoded; null unless it declares
 * exactly one frame, before its first scan (a camera's picture does; a second frame header
 * could make a decoder allocate for a size no check saw). Segments are walked by their
 * lengths; after a scan, the compressed data is skipped to the next marker (in it a 0xFF is
 * followed by 0x00 or a restart marker, never by anything else).
 */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  const u16 = (at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
  const frames: Array<{ width: number; height: number }> = [];
  let at = 2;
  while (at + 3 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) { at += 1; continue; } // fill byte
    if (marker === 0xd9) break; // end of image
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; } // no length
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry a frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 8 >= bytes.length) return null;
      frames.push({ height: u16(at + 5), width: u16(at + 7) });
    }
    if (marker === 0xda && frames.length === 0) return null; // a scan before any frame header
    at += 2 + u16(at + 2);
    if (marker === 0xda) {
      while (at + 1 < bytes.length && !(bytes[at] === 0xff && bytes[at + 1] !== 0x00 && !(bytes[at + 1]! >= 0xd0 && bytes[at + 1]! <= 0xd7))) at += 1;
    }
  }
  return frames.length === 1 ? frames[0]! : null;
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
