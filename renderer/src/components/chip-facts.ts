// What the screens conclude from a document's chip read, as plain functions: whether the chip
// lets the document be accepted, which message an error code gets, why a chip failed in one
// line, where the face check's reference portrait comes from, and a country in the screen's language.
import type { TFunction } from 'i18next';
import type { z } from 'zod';
import type { ChipRead, ChipSkipReason } from '../../../main/rpc/contract';

export type Chip = z.infer<typeof ChipRead>;
export type ChipDone = Extract<Chip, { status: 'done' }>;
export type SkipReason = z.infer<typeof ChipSkipReason>;

export const SKIP_REASONS: readonly SkipReason[] = ['no-chip', 'chip-unreadable', 'other'];

/** The document may be accepted: no chip to read, a verified one, an unverifiable one someone went on with, or skipped. */
export function chipSettled(chip: Chip | null): boolean {
  if (chip === null || chip.status === 'skipped') return true;
  if (chip.status !== 'done') return false;
  return chip.verdict === 'verified' || (chip.verdict === 'not-verifiable' && chip.acknowledged);
}

/** The chip showed the document altered or not genuine: nothing but cancelling is left. */
export const chipFailed = (chip: Chip | null): boolean => chip?.status === 'done' && chip.verdict === 'failed';

/** The chip gave a portrait, which the face step takes as its reference instead of a camera photo of the page. */
export const chipHasPortrait = (chip: Chip | null | undefined): boolean => chip?.status === 'done' && chip.portrait;

export type ChipErrorKind = 'removed' | 'accessDenied' | 'noCard' | 'noReader' | 'generic';

/** The reader's and the chip's codes worded for the person at the screen (the message is for the log only). */
const ERROR_KINDS: Readonly<Record<string, ChipErrorKind>> = {
  PCSC_CARD_REMOVED: 'removed',
  PCSC_CARD_RESET: 'removed',
  CHIP_ACCESS_DENIED: 'accessDenied',
  CHIP_BAC_DENIED: 'accessDenied',
  CHIP_PACE_PASSWORD_REJECTED: 'accessDenied',
  CHIP_NO_CARD: 'noCard',
  PCSC_NO_CARD: 'noCard',
  PCSC_NO_READER: 'noReader',
  PCSC_NOT_RUNNING: 'noReader',
};

export const chipErrorKind = (code: string): ChipErrorKind => ERROR_KINDS[code] ?? 'generic';

/** "DE" → "Germany" / "Deutschland" / "德国"; anything that is not a region code stays as it is. */
export function countryName(code: string | null, language: string): string | null {
  if (!code) return null;
  try {
    return new Intl.DisplayNames([language], { type: 'region', fallback: 'code' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

const FAILED_REASONS = ['dg-hash-mismatch', 'dg1-mismatch', 'signature-invalid', 'chain-invalid', 'expired', 'clone-check-failed', 'malformed'];

/** One line saying why the chip failed, for a reason the screens know; a general line otherwise. */
export function failedReason(t: TFunction, reason: string | null): string {
  return t(`document.chip.failed.reasons.${reason !== null && FAILED_REASONS.includes(reason) ? reason : 'other'}`);
}
