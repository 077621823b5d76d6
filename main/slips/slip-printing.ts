// Printing a slip from what was kept of it: drawn in the asked language (the person's, from the
// consent, unless another is asked for), shown on the screen as the picture of the very PDF that
// is printed, and then saved as PDF (a station without a printer) or handed to a durable
// `slip.print` job: the job names the record, the language and the printer — never the person —
// and draws the slip again from the sealed copy whenever it must retry, so a printer that is off
// or out of paper gets the slip once it is back, across restarts. The screen waits for the first
// attempt and says "printed" or "queued for printing".
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { JobHandler, JobRetryPolicy } from '../jobs/job-kind.js';
import { JobFailure, jobType } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import { Language } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { saveSlip, sendToPrinter, type SlipDelivery, type SlipOutput } from './slip-delivery.js';
import { slipHtml } from './slip-document.js';
import { slipPdf, slipPicture } from './slip-renderer.js';
import { readKeptSlip } from './slip-store.js';

export interface PrintedSlip {
  number: string;
  /** The printed page as a PNG data: URL. */
  picture: string;
  delivery: SlipDelivery;
}

export const SLIP_PRINT = jobType('slip.print', z.strictObject({ recordId: z.uuid(), language: Language, printer: z.string().min(1) }));
type SlipPrintPayload = z.infer<typeof SLIP_PRINT.payload>;

/** A printer off or out of paper is usually back within minutes; after ~15 attempts (half an hour or so) a person must look. */
export const SLIP_PRINT_RETRY: JobRetryPolicy = { baseMs: 2_000, capMs: 5 * 60_000, maxAttempts: 15, maxRetryAfterMs: 5 * 60_000 };

/** How long the screen waits for the first attempt before it says "queued" (the printer queue may be busy with another slip). */
const FIRST_ATTEMPT_WAIT_MS = 20_000;

/** A procedure's commit: the change and its audit entry in one transaction (ctx.commit). */
type Commit = <T>(change: () => T, details: (result: T) => Record<string, unknown>) => T;

export interface SlipPrintingDeps {
  db: Db;
  /** KIOSK_NOT_PROVISIONED before provisioning. */
  credentials(): KioskCredentials;
  /** Where slips go: the station's printer, else the slip folder. */
  output(): SlipOutput;
  jobs: JobRunner;
  retry?: JobRetryPolicy;
}

export class SlipPrinting {
  /** The `slip.print` handler, for the kiosk's job runner. */
  readonly handler: JobHandler<SlipPrintPayload>;
  /** Slips drawn for a screen, handed to their job's next attempt in this process; never stored. */
  private readonly drawn = new Map<number, { number: string; pdf: Buffer }>();

  constructor(private readonly deps: SlipPrintingDeps) {
    this.handler = {
      type: SLIP_PRINT,
      retry: deps.retry ?? SLIP_PRINT_RETRY,
      run: async ({ recordId, language, printer }, { id, signal }) => {
        const { number, pdf } = this.drawn.get(id) ?? await this.draw(recordId, language);
        this.drawn.delete(id);
        await sendToPrinter(pdf, number, printer, signal);
      },
    };
  }

  /**
   * Prints (or saves) the slip kept for `recordId` and returns its picture and where it went; the
   * request and its audit entry (record id, number, how it went out, never what it says) commit together.
   */
  async print(recordId: string, language: z.infer<typeof Language> | undefined, commit: Commit): Promise<PrintedSlip> {
    const slip = this.kept(recordId);
    const pdf = await slipPdf(await slipHtml(slip, language ?? slip.language));
    const pictured = slipPicture(pdf).then((png) => `data:image/png;base64,${png.toString('base64')}`);
    const { printer, folder } = this.deps.output();
    if (printer === null) {
      const delivery = commit(() => saveSlip(pdf, slip.number, folder), () => ({ recordId, number: slip.number, delivery: 'saved' }));
      return { number: slip.number, picture: await pictured, delivery };
    }
    const payload = { recordId, language: language ?? slip.language, printer };
    const jobId = commit(() => enqueueJob(this.deps.db, SLIP_PRINT, payload, { dedupeKey: recordId, overrideBackoff: true }),
      (id) => ({ recordId, number: slip.number, delivery: 'queued', jobId: id }));
    this.drawn.set(jobId, { number: slip.number, pdf });
    const [attempt, picture] = await Promise.all([this.firstAttempt(jobId), pictured]);
    this.drawn.delete(jobId); // taken by the attempt, or (merged into a running job, not come in time) drawn again when needed
    const delivery: SlipDelivery = attempt === 'done' ? { kind: 'printed', printer } : { kind: 'queued', printer };
    return { number: slip.number, picture, delivery };
  }

  /** The state the job's next attempt leaves it in, or 'waiting' when none ends within FIRST_ATTEMPT_WAIT_MS. */
  private async firstAttempt(jobId: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waiting'>((resolve) => { timer = setTimeout(() => resolve('waiting'), FIRST_ATTEMPT_WAIT_MS); });
    try {
      return await Promise.race([this.deps.jobs.nextAttempt(jobId).then((job) => job?.state ?? 'gone'), waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  private kept(recordId: string) {
    return readKeptSlip(this.deps.db, this.deps.credentials(), recordId);
  }

  /** The slip drawn again from its sealed copy; a slip no longer kept (retention) is a failure no retry mends. */
  private async draw(recordId: string, language: z.infer<typeof Language>): Promise<{ number: string; pdf: Buffer }> {
    let slip;
    try {
      slip = this.kept(recordId);
    } catch (error) {
      if (error instanceof GatehouseError && error.code === 'SLIP_NOT_KEPT') throw new JobFailure(error.code, error.message, { retryable: false });
      throw error;
    }
    return { number: slip.number, pdf: await slipPdf(await slipHtml(slip, language)) };
  }
}
