// The chip of one pending document read: where its reading stands (waiting for the document on
// the chip reader, reading with progress, asking for the card access number, failed to read,
// read with a verdict, or skipped by whoever is at the screen), the verdict's rules (Passive
// Authentication, DG1 equal to the printed MRZ, Chip or Active Authentication when performed),
// and what the record keeps of it. The reading itself is run by document-chips.ts.

import type { z } from 'zod';
import type { ChipFile, ChipReading, ChipReadProgress } from '../../native/emrtd/chip-reading.js';
import type { PassiveAuthenticationResult } from '../../native/emrtd/passive-authentication.js';
import { GatehouseError } from '../errors.js';
import type { ChipRead, ChipSkipReason, ChipVerdict } from '../rpc/schemas.js';
import type { DocumentCapture } from './document-capture.js';
import type { OperatorRefView } from './exception-evidence.js';

export type ChipReadView = z.infer<typeof ChipRead>;
export type ChipVerdictName = z.infer<typeof ChipVerdict>;
export type ChipSkip = { reason: z.infer<typeof ChipSkipReason>; note: string; by: OperatorRefView | null; at: string };

/** What the sealed record keeps of a chip read: its files as read, the portrait used, the checks. */
export interface ChipEvidence {
  readonly files: readonly ChipFile[];
  /** The portrait as a JPEG the face check takes (converted from JPEG 2000 where needed). */
  readonly portraitJpeg: Uint8Array | null;
  /** Passive Authentication's checks and certificates, without its message. */
  readonly passiveAuthentication: Record<string, unknown>;
}

/** What an accepted document keeps of its chip: the view the screens show, and the evidence when it was read. */
export interface ChipOutcome {
  readonly view: ChipReadView;
  readonly evidence: ChipEvidence | null;
}

type Done = {
  status: 'done';
  view: Extract<ChipReadView, { status: 'done' }>;
  evidence: ChipEvidence;
};

type State =
  | Exclude<ChipReadView, { status: 'done' }>
  | Done;

/** The verdict on a chip read of the document whose printed MRZ is one of `printedMrz`. */
export function chipVerdict(reading: ChipReading, printedMrz: readonly string[]): { verdict: ChipVerdictName; reason: string | null } {
  const pa = reading.passiveAuthentication;
  if (pa.status === 'failed') return { verdict: 'failed', reason: pa.reason };
  if (!printedMrz.includes(reading.dg1.mrz)) return { verdict: 'failed', reason: 'dg1-mismatch' };
  const cloneCheck = [reading.chipAuthentication, reading.activeAuthentication].find((check) => check.performed);
  if (cloneCheck?.performed && !cloneCheck.verified) return { verdict: 'failed', reason: 'clone-check-failed' };
  if (pa.status === 'not-verifiable') return { verdict: 'not-verifiable', reason: pa.reason };
  return { verdict: 'verified', reason: null };
}

/** Passive Authentication's result as plain JSON for the record, without its English message. */
function paEvidence(pa: PassiveAuthenticationResult): Record<string, unknown> {
  const facts: Partial<PassiveAuthenticationResult> = { ...pa };
  delete facts.message;
  return JSON.parse(JSON.stringify(facts)) as Record<string, unknown>;
}

export class ChipCheck {
  #state: State = { status: 'waiting' };
  #can: string | null = null;
  #run: AbortController | null = null;
  /** The document placement (the reader's count of cards put on it) the last reading ran on. */
  #placement = -1;

  constructor(readonly capture: DocumentCapture & { chip: NonNullable<DocumentCapture['chip']> }) {}

  get status(): State['status'] {
    return this.#state.status;
  }

  /** The card access number typed at the screen; null to use the MRZ. */
  get can(): string | null {
    return this.#can;
  }

  /**
   * Whether a reading should start with the document placed on the reader as placement
   * `placement`: when waiting, or after a failed reading once the document was placed anew (a
   * failure is not read again on the same placement, or a chip refusing the key would be
   * hammered).
   */
  wantsRead(placement: number): boolean {
    return this.#state.status === 'waiting' || (this.#state.status === 'error' && placement > this.#placement);
  }

  view(): ChipReadView {
    return this.#state.status === 'done' ? this.#state.view : this.#state;
  }

  /** Starts a reading on document placement `placement`; aborted when the check is dropped. */
  begin(placement: number): AbortSignal {
    this.#placement = placement;
    this.#run = new AbortController();
    this.#state = { status: 'reading', fraction: 0, stage: 'access-control' };
    return this.#run.signal;
  }

  progress({ fraction, stage }: ChipReadProgress): void {
    if (this.#state.status === 'reading') this.#state = { status: 'reading', fraction, stage };
  }

  finish(reading: ChipReading, portraitJpeg: Uint8Array | null): Extract<ChipReadView, { status: 'done' }> {
    this.#run = null;
    const { verdict, reason } = chipVerdict(reading, this.capture.chip.mrz);
    const pa = reading.passiveAuthentication;
    const clone = reading.chipAuthentication.performed ? { protocol: 'chip-authentication' as const, verified: reading.chipAuthentication.verified }
      : reading.activeAuthentication.performed ? { protocol: 'active-authentication' as const, verified: reading.activeAuthentication.verified }
        : null;
    const view: Extract<ChipReadView, { status: 'done' }> = {
      status: 'done',
      verdict,
      reason,
      access: reading.access.protocol,
      country: pa.status === 'valid' ? pa.csca.country : pa.status === 'not-verifiable' ? pa.country : null,
      csca: pa.status === 'valid' ? pa.csca.subject : null,
      cloneCheck: clone,
      portrait: portraitJpeg !== null,
      acknowledged: false,
      acknowledgedBy: null,
    };
    this.#state = { status: 'done', view, evidence: { files: reading.files, portraitJpeg, passiveAuthentication: paEvidence(pa) } };
    return view;
  }

  /** The chip asks for its card access number (`retry`: the one typed was wrong). */
  needsCan(retry: boolean): void {
    this.#run = null;
    this.#state = { status: 'needs-can', retry };
  }

  fail(code: string, message: string): void {
    this.#run = null;
    this.#state = { status: 'error', code, message };
  }

  /** The CAN typed at the screen; the next reading uses it. */
  useCan(can: string): void {
    if (this.#state.status !== 'needs-can' && this.#state.status !== 'error') {
      throw new GatehouseError('ENROLLMENT_CHIP_NO_CAN_NEEDED', 'The chip is not asking for its card access number.');
    }
    this.#can = can;
    this.#state = { status: 'waiting' };
  }

  /** Reads again when the document is back on the reader. */
  retry(): void {
    if (this.#state.status === 'reading') return;
    if (this.#state.status === 'done' && this.#state.view.verdict === 'failed') {
      throw new GatehouseError('ENROLLMENT_CHIP_FAILED', 'The chip showed the document is not genuine; it cannot be read again for this enrollment.');
    }
    this.#state = { status: 'waiting' };
  }

  /** Going on without the chip (no chip, or it cannot be read). A chip that failed its checks cannot be skipped. */
  skip(skip: ChipSkip): void {
    if (this.#state.status === 'done' && this.#state.view.verdict === 'failed') {
      throw new GatehouseError('ENROLLMENT_CHIP_FAILED', 'The chip showed the document is not genuine; the enrollment cannot go on with it.');
    }
    if (this.#state.status === 'done') {
      throw new GatehouseError('ENROLLMENT_CHIP_ALREADY_READ', 'The chip has been read; there is nothing to skip.');
    }
    this.#run?.abort();
    this.#run = null;
    this.#state = { status: 'skipped', ...skip };
  }

  /** Whoever is at the screen goes on with a chip whose signer the kiosk cannot verify. */
  acknowledge(by: OperatorRefView | null): void {
    const state = this.#state;
    if (state.status !== 'done' || state.view.verdict !== 'not-verifiable') {
      throw new GatehouseError('ENROLLMENT_CHIP_NOTHING_TO_ACKNOWLEDGE', 'Only a chip that could not be verified needs to be acknowledged.');
    }
    this.#state = { ...state, view: { ...state.view, acknowledged: true, acknowledgedBy: by } };
  }

  /** Stops a reading under way (the read is gone, or the enrollment ended). */
  drop(): void {
    this.#run?.abort();
    this.#run = null;
  }

  /** What the accepted document keeps; refuses while the chip has not been dealt with. */
  outcome(): ChipOutcome {
    const state = this.#state;
    if (state.status === 'skipped') return { view: state, evidence: null };
    if (state.status !== 'done') {
      throw new GatehouseError('ENROLLMENT_CHIP_NOT_READ',
        'The chip has not been read yet: place the document on the chip reader, or go on without the chip and say why.');
    }
    if (state.view.verdict === 'failed') {
      throw new GatehouseError('ENROLLMENT_CHIP_FAILED', 'The chip showed the document is not genuine; the enrollment cannot go on with it.',
        { reason: state.view.reason });
    }
    if (state.view.verdict === 'not-verifiable' && !state.view.acknowledged) {
      throw new GatehouseError('ENROLLMENT_CHIP_NOT_ACKNOWLEDGED',
        'The chip could not be verified (the kiosk does not hold the certificate of its country). Confirm that you go on with it.');
    }
    return { view: state.view, evidence: state.evidence };
  }
}
