// The binary parts an enrollment carries, named once for the sealed record and for a held
// enrollment alike (portraits, card photo, chip files, finger records, templates and images,
// exception photos), and the collector that adds a part and returns the name the JSON refers to it by.

import type { RecordPart } from '../../protocol/sealed-record.js';
import type { ChipOutcome } from './chip-check.js';
import type { ExceptionEvidence } from './exception-evidence.js';

export const PART_NAMES = {
  cardPhoto: 'document-photo.wlt',
  documentPortrait: 'portrait-document.jpg',
  livePortrait: 'portrait-live.jpg',
  faceException: 'face-exception.jpg',
  livenessException: 'liveness-exception.jpg',
  fingerRecord: (position: number) => `finger-${position}.iso`,
  fingerTemplate: (position: number) => `finger-${position}-template.bin`,
  fingerImage: (position: number) => `finger-${position}.png`,
  fingerException: (position: number) => `finger-${position}-exception.jpg`,
  /** A file of the document's chip exactly as read (EF.SOD, DG1, DG2 …). */
  chipFile: (name: string) => `chip-${name}.bin`,
  /** The chip's portrait as the JPEG the face check used. */
  chipPortrait: 'portrait-chip.jpg',
} as const;

export class PartList {
  readonly parts: RecordPart[] = [];

  /** Adds the part and returns its name. */
  add(name: string, bytes: Uint8Array): string {
    this.parts.push({ name, bytes });
    return name;
  }

  /** A document's chip as JSON: its files and portrait become parts. */
  chip({ view, evidence }: ChipOutcome) {
    return {
      ...view,
      passiveAuthentication: evidence?.passiveAuthentication ?? null,
      fileParts: (evidence?.files ?? []).map((file) => ({ name: file.name, part: this.add(PART_NAMES.chipFile(file.name), file.bytes) })),
      portraitPart: evidence?.portraitJpeg ? this.add(PART_NAMES.chipPortrait, evidence.portraitJpeg) : null,
    };
  }

  /** An exception as JSON: its photo becomes the part `photoName`. */
  evidence<R extends string>({ reason, note, by, at, photo }: ExceptionEvidence<R>, photoName: string) {
    return { reason, note, by, at, photoPart: photo ? this.add(photoName, photo) : null };
  }
}
