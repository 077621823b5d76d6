// Capturing one finger for an enrollment with an R30x module: wait for the finger, take
// two impressions with a lift between, merge them into a template, upload template and
// image, judge the image's quality (retrying below the threshold), search the module's
// library for the same finger, and package the result as an ISO/IEC 19794-4 record.
// (Missing or injured fingers are the enrollment's exceptions, not the device's.) Also identifies a
// finger against the library (one impression and Search) for logging in by finger, and takes
// one image with its quality for a technician's device test.

import { EventEmitter } from 'node:events';
import { DeviceError } from '../device-error.js';
import { encodeGreyPng, unpackR30xImage, type GreyImage } from './finger-image.js';
import { estimateFingerQuality, type FingerQualityEstimate } from './finger-quality.js';
import { encodeFingerImageRecord } from './iso19794-4.js';
import type { R30xDriver, R30xProgress, R30xSearchResult } from './r30x-driver.js';

export interface FingerCaptureOptions {
  /** ISO finger position 1 (right thumb) … 10 (left little). */
  position: number;
  /** Lowest acceptable quality estimate, 0–100 (default 40). */
  qualityThreshold?: number;
  /** Captures tried before the last one is kept whatever its quality (default 3). */
  maxAttempts?: number;
  /** How long to wait for a finger to be placed (default 20 s). */
  placeTimeoutMs?: number;
  /** How long to wait for the lift; after that the second impression is taken anyway (default 10 s). */
  liftTimeoutMs?: number;
  /** Pause between two GenImg polls (default 150 ms). */
  pollIntervalMs?: number;
  /** Library slots searched for the same finger (default all). */
  search?: { startPage: number; count: number };
  /** Store the template in this slot afterwards, so later fingers of the session are checked against it. */
  storePage?: number;
  /**
   * Templates captured before (e.g. the other fingers of this enrollment), each compared with the new
   * one on the module (DownChar into char buffer 2, then Match); unlike `storePage` nothing is stored.
   */
  compareWith?: readonly Uint8Array[];
  /** Scan resolution written to the ISO record (R30x sensors: 500 ppi). */
  resolutionPpi?: number;
  signal?: AbortSignal;
}

/** Identifying a finger against the library: one impression, no template or image leaves the module. */
export type FingerIdentifyOptions = Pick<FingerCaptureOptions, 'placeTimeoutMs' | 'pollIntervalMs' | 'search' | 'signal'>;

/** Taking one image (a device test): how long to wait for the finger, and its cancellation. */
export type FingerImageOptions = Pick<FingerCaptureOptions, 'placeTimeoutMs' | 'pollIntervalMs' | 'signal'>;

export interface FingerImage {
  image: GreyImage;
  png: Uint8Array;
  quality: FingerQualityEstimate;
}

type WaitOptions = Pick<FingerCaptureOptions, 'placeTimeoutMs' | 'liftTimeoutMs' | 'pollIntervalMs' | 'signal'> & { position?: number };

export type FingerCaptureProgress =
  | { step: 'place'; impression: 1 | 2; attempt: number; waitedMs: number; timeoutMs: number }
  | { step: 'lift'; attempt: number; waitedMs: number; timeoutMs: number }
  | { step: 'lift-not-seen'; attempt: number }
  | { step: 'image-upload'; attempt: number; bytes: number; total: number }
  | { step: 'quality'; attempt: number; quality: FingerQualityEstimate; accepted: boolean }
  | { step: 'retry'; attempt: number; reason: string }
  | { step: 'template-upload'; bytes: number; total: number }
  | { step: 'search' };

export interface CapturedFinger {
  kind: 'captured';
  position: number;
  /** The module's 512-byte template (opaque). */
  template: Uint8Array;
  image: GreyImage;
  png: Uint8Array;
  quality: FingerQualityEstimate;
  /** False when the last attempt was kept below the threshold. */
  qualityAccepted: boolean;
  attempts: number;
  /** The library slot the finger already matches (an operator, or a finger earlier in the session). */
  duplicate: { page: number; score: number } | null;
  /** The first of `compareWith` the finger matches, by its index there. */
  earlierMatch: { index: number; score: number } | null;
  /** ISO/IEC 19794-4:2005 finger image record with the PNG. */
  isoRecord: Uint8Array;
}

type FingerCaptureEvents = { progress: [progress: FingerCaptureProgress] };

/** Device codes worth another attempt: the person can place the finger better. */
const RETRYABLE = new Set(['R30X_IMAGE_MESSY', 'R30X_TOO_FEW_FEATURES', 'R30X_MERGE_FAILED', 'R30X_CAPTURE_FAILED']);
const ISO_LIVE_SCAN_PLAIN = 0;
/** 500 ppi, 8-bit grey: the nearest level for the module's 4-bit image expanded to 8 bits. */
const ISO_ACQUISITION_LEVEL = 30;

export class FingerCaptureFlow extends EventEmitter<FingerCaptureEvents> {
  constructor(private readonly driver: R30xDriver) {
    super();
  }

  async capture(options: FingerCaptureOptions): Promise<CapturedFinger> {
    checkPosition(options.position);
    const maxAttempts = options.maxAttempts ?? 3;
    const threshold = options.qualityThreshold ?? 40;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      try {
        await this.waitForFinger(options, attempt, 1);
        await this.driver.img2Tz(1);
        const packed = await this.driver.upImage(({ bytes, total }: R30xProgress) =>
          this.emit('progress', { step: 'image-upload', attempt, bytes, total }));
        const image = unpackR30xImage(packed);
        const quality = estimateFingerQuality(image);
        const accepted = quality.score >= threshold;
        this.emit('progress', { step: 'quality', attempt, quality, accepted });
        if (!accepted && !last) {
          await this.retry(options, attempt, `quality ${quality.score} below ${threshold}`);
          continue;
        }
        await this.waitForLift(options, attempt);
        await this.waitForFinger(options, attempt, 2);
        await this.driver.img2Tz(2);
        await this.driver.regModel();
        return await this.finish(options, { image, quality, qualityAccepted: accepted, attempts: attempt });
      } catch (error) {
        if (last || !(error instanceof DeviceError) || !RETRYABLE.has(error.code)) throw error;
        await this.retry(options, attempt, error.message);
      }
    }
  }

  /**
   * Waits for a finger and uploads its image with the quality estimate: a device test. No
   * template is made and nothing is searched or stored on the module.
   */
  async image(options: FingerImageOptions = {}): Promise<FingerImage> {
    await this.waitForFinger(options, 1, 1);
    const packed = await this.driver.upImage(({ bytes, total }: R30xProgress) =>
      this.emit('progress', { step: 'image-upload', attempt: 1, bytes, total }));
    const image = unpackR30xImage(packed);
    return { image, png: encodeGreyPng(image), quality: estimateFingerQuality(image) };
  }

  /** Waits for a finger, takes one impression and searches the library for it (log-in by finger). */
  async identify(options: FingerIdentifyOptions = {}): Promise<R30xSearchResult> {
    await this.waitForFinger(options, 1, 1);
    await this.driver.img2Tz(1);
    return this.searchLibrary(options);
  }

  private async finish(options: FingerCaptureOptions,
    captured: Pick<CapturedFinger, 'image' | 'quality' | 'qualityAccepted' | 'attempts'>): Promise<CapturedFinger> {
    const template = await this.driver.upChar(1, ({ bytes, total }) =>
      this.emit('progress', { step: 'template-upload', bytes, total }));
    const hit = await this.searchLibrary(options);
    const earlierMatch = await this.matchEarlier(options.compareWith ?? []);
    if (options.storePage !== undefined) await this.driver.store(1, options.storePage);
    const png = encodeGreyPng(captured.image);
    const resolution = options.resolutionPpi ?? 500;
    const isoRecord = encodeFingerImageRecord({
      captureDeviceId: 0,
      acquisitionLevel: ISO_ACQUISITION_LEVEL,
      scaleUnits: 'ppi',
      scanResolution: { horizontal: resolution, vertical: resolution },
      imageResolution: { horizontal: resolution, vertical: resolution },
      pixelDepth: 8,
      compression: 'png',
      views: [{
        position: options.position, viewCount: 1, viewNumber: 1, quality: captured.quality.score,
        impressionType: ISO_LIVE_SCAN_PLAIN, width: captured.image.width, height: captured.image.height, imageData: png,
      }],
    });
    return {
      kind: 'captured',
      position: options.position,
      template,
      png,
      isoRecord,
      duplicate: hit.found ? { page: hit.page, score: hit.score } : null,
      earlierMatch,
      ...captured,
    };
  }

  /** Searches the library with char buffer 1. */
  private async searchLibrary(options: Pick<FingerCaptureOptions, 'search'>): Promise<R30xSearchResult> {
    this.emit('progress', { step: 'search' });
    const range = options.search ?? { startPage: 0, count: (await this.driver.readSysPara()).capacity };
    return this.driver.search(1, range.startPage, range.count);
  }

  /** Compares char buffer 1 (the new template) with each earlier template loaded into char buffer 2. */
  private async matchEarlier(templates: readonly Uint8Array[]): Promise<CapturedFinger['earlierMatch']> {
    for (const [index, template] of templates.entries()) {
      await this.driver.downChar(2, template);
      const { matched, score } = await this.driver.match();
      if (matched) return { index, score };
    }
    return null;
  }

  private async retry(options: WaitOptions, attempt: number, reason: string): Promise<void> {
    this.emit('progress', { step: 'retry', attempt, reason });
    await this.waitForLift(options, attempt);
  }

  /** Polls GenImg until it captures a finger. */
  private async waitForFinger(options: WaitOptions, attempt: number, impression: 1 | 2): Promise<void> {
    const timeoutMs = options.placeTimeoutMs ?? 20_000;
    const placed = await this.poll(options, timeoutMs, 'present', (waitedMs) =>
      this.emit('progress', { step: 'place', impression, attempt, waitedMs, timeoutMs }));
    if (!placed) {
      throw new DeviceError('FINGER_NOT_PLACED',
        `No finger was placed within ${Math.round(timeoutMs / 1000)} s — ask the person to press the finger flat on the sensor, `
        + 'then try again.', { position: options.position, attempt });
    }
  }

  /** Polls GenImg until the sensor is empty; a finger kept down is not an error, the next impression is taken anyway. */
  private async waitForLift(options: WaitOptions, attempt: number): Promise<void> {
    const timeoutMs = options.liftTimeoutMs ?? 10_000;
    const lifted = await this.poll(options, timeoutMs, 'absent', (waitedMs) =>
      this.emit('progress', { step: 'lift', attempt, waitedMs, timeoutMs }));
    if (!lifted) this.emit('progress', { step: 'lift-not-seen', attempt });
  }

  /** GenImg until the finger is `want`, or the time is up (false). */
  private async poll(options: WaitOptions, timeoutMs: number, want: 'present' | 'absent',
    report: (waitedMs: number) => void): Promise<boolean> {
    const started = Date.now();
    for (;;) {
      if (options.signal?.aborted) {
        throw new DeviceError('FINGER_CAPTURE_CANCELLED', 'Fingerprint capture was cancelled.', { position: options.position });
      }
      const waitedMs = Date.now() - started;
      report(waitedMs);
      const present = await this.driver.genImg().then(() => true, (error: unknown) => {
        if (error instanceof DeviceError && (error.code === 'R30X_NO_FINGER' || error.code === 'R30X_CAPTURE_FAILED')) return false;
        throw error;
      });
      if (present === (want === 'present')) return true;
      if (waitedMs >= timeoutMs) return false;
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 150));
    }
  }
}

/** An officer's record that a finger cannot be captured, with the reason. */
function checkPosition(position: number): void {
  if (!Number.isInteger(position) || position < 1 || position > 10) {
    throw new DeviceError('FINGER_BAD_POSITION', `Finger position ${position} is not 1 (right thumb) … 10 (left little).`,
      { position });
  }
}
