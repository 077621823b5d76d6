// A technician's test of one device, the same from the set-up screen (the running kiosk's
// services) and from `gatehouse devices test` (services the command opens itself): wait until
// the device is usable, then for a document reader the next document's fields with their
// verdicts, for a fingerprint scanner one finger's image and quality, for a chip reader its
// name and the card on it. A device that is not set up, not there or failing is DEVICE_NOT_READY
// naming its problem (details.problem: not-set-up, not-connected …) with the technical fault in
// the message; a test nothing happened in is DEVICE_TEST_TIMEOUT.

import type { z } from 'zod';
import { DeviceError } from '../../native/device-error.js';
import { FingerCaptureFlow } from '../../native/fingerprint/capture-flow.js';
import type { DocumentReading } from '../../native/idreader/document-reader.js';
import { captureFromReading } from '../enrollment/document-capture.js';
import { GatehouseError } from '../errors.js';
import type { ChipReaderTestResult, DocumentTestResult, FingerprintTestResult, TestableRole } from '../rpc/procedures/devices.js';
import type { DeviceProblem, DeviceStatus } from '../rpc/schemas.js';
import type { ChipReaderService } from './chip-reader-service.js';
import type { DocumentReaderService } from './document-reader-service.js';
import type { DeviceFault } from './device-problem.js';
import type { FingerprintOwner, FingerprintService } from './fingerprint-service.js';

type Role = z.infer<typeof TestableRole>;
type Problem = z.infer<typeof DeviceProblem>;
type DeviceStatusView = z.infer<typeof DeviceStatus>;

export interface DeviceTestOptions {
  /** Ends the test early (the screen went away, the command was interrupted): DEVICE_TEST_CANCELLED. */
  signal?: AbortSignal;
  /** Called once the device is usable and the test waits for a document, a finger (not for the chip reader, which does not wait). */
  onWaiting?: () => void;
}

const DEVICE_NAMES: Readonly<Record<Role, string>> = {
  'document-reader': 'document reader',
  fingerprint: 'fingerprint scanner',
  'chip-reader': 'chip reader',
};

const WHAT_TO_DO: Readonly<Record<Problem, string>> = {
  'not-set-up': 'set one up on the device set-up screen or with `gatehouse devices set`',
  'not-connected': 'check its cable and the port or reader in its settings, then test again',
  'not-responding': 'check its power and cable, then the baud rate and framing in its settings',
  'wrong-settings': 'check the baud rate, module address and password in its settings',
  'in-use': 'close the program that holds it, then test again',
  'no-permission': 'add the kiosk\'s user to the group that owns the device (dialout for serial ports)',
  failed: 'check the device and the detail above, then test again',
};

/**
 * DEVICE_NOT_READY (the code screens translate by `details.problem`) for `role`'s device,
 * with the technical detail of its fault in the message, for the technician.
 */
export function deviceProblemError(role: Role, problem: Problem, fault?: DeviceFault | null): GatehouseError {
  const device = DEVICE_NAMES[role];
  const state = problem === 'not-set-up' ? `No ${device} is set up` : `The ${device} is ${problem.replace('-', ' ')}`;
  const detail = fault ? ` (${fault.code ? `${fault.code}: ` : ''}${fault.detail})` : '';
  return new GatehouseError('DEVICE_NOT_READY', `${state}${detail}: ${WHAT_TO_DO[problem]}.`, { role, problem });
}

/** Waits for the next document on the reader and shows its fields with their verdicts; a misread is the reader's own DeviceError. */
export async function testDocumentReader(reader: DocumentReaderService | null, timeoutMs: number, options: DeviceTestOptions = {})
  : Promise<z.infer<typeof DocumentTestResult>> {
  const role = 'document-reader';
  const device = present(role, reader);
  const signal = testSignal(role, timeoutMs, options);
  await usable(role, device, signal);
  const reading = await until<DocumentReading>(signal, (resolve, reject) => {
    const onStatus = (status: DeviceStatusView, fault: DeviceFault | null) => {
      const failure = unusable(role, status, fault);
      if (failure instanceof Error) reject(failure);
    };
    device.on('reading', resolve);
    device.on('failure', reject);
    device.on('status', onStatus);
    options.onWaiting?.();
    return () => {
      device.off('reading', resolve);
      device.off('failure', reject);
      device.off('status', onStatus);
    };
  });
  const { view } = captureFromReading(reading);
  return { role, source: reading.kind, documentType: view.documentType, valid: view.valid, fields: view.fields };
}

/**
 * Waits for a finger on the scanner and shows its image (PNG) and quality estimate; no
 * template is made, nothing stays on the module. `owner`: the screen asking (its end cancels).
 */
export async function testFingerprint(module: FingerprintService | null, timeoutMs: number,
  options: DeviceTestOptions & { owner?: FingerprintOwner } = {}): Promise<z.infer<typeof FingerprintTestResult>> {
  const role = 'fingerprint';
  const scanner = present(role, module);
  const signal = testSignal(role, timeoutMs, options);
  await usable(role, scanner, signal);
  options.onWaiting?.();
  // Without a screen (the command line) the test has an owner of its own, ended by its signal alone.
  const owner: FingerprintOwner = options.owner ?? { onEnd: () => () => undefined };
  const { image, png, quality } = await scanner.use(owner, ({ driver, signal: cancelled }) =>
    new FingerCaptureFlow(driver).image({ placeTimeoutMs: timeoutMs, signal: cancelled }), [signal])
    .catch((error: unknown) => {
      // The capture flow notices the test's signal, or its own place timeout, at its next poll.
      if (signal.aborted) throw signal.reason;
      if (error instanceof DeviceError && error.code === 'FINGER_NOT_PLACED') throw timeoutError(role, timeoutMs);
      throw error;
    });
  return {
    role, image: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, width: image.width, height: image.height, quality,
  };
}

/** Finds the reader and says whether a card is on it, with the card's answer to reset; it does not wait for a card. */
export async function testChipReader(reader: ChipReaderService | null, timeoutMs: number, options: DeviceTestOptions = {})
  : Promise<z.infer<typeof ChipReaderTestResult>> {
  const role = 'chip-reader';
  const device = present(role, reader);
  await usable(role, device, testSignal(role, timeoutMs, options));
  const { atr } = device;
  return { role, reader: device.status.name, cardPresent: atr !== null, atr: atr && Buffer.from(atr).toString('hex') };
}

interface StatusSource {
  readonly status: DeviceStatusView;
  on(event: 'status', listener: (status: DeviceStatusView, fault: DeviceFault | null) => void): unknown;
  off(event: 'status', listener: (status: DeviceStatusView, fault: DeviceFault | null) => void): unknown;
}

function present<Device>(role: Role, device: Device | null): Device {
  if (device === null) throw deviceProblemError(role, 'not-set-up');
  return device;
}

/** Aborts with DEVICE_TEST_TIMEOUT after `timeoutMs`, or with DEVICE_TEST_CANCELLED when the caller's signal aborts. */
function testSignal(role: Role, timeoutMs: number, { signal }: DeviceTestOptions): AbortSignal {
  const timeout = new AbortController();
  setTimeout(() => timeout.abort(timeoutError(role, timeoutMs)), timeoutMs).unref();
  const cancelled = new AbortController();
  signal?.addEventListener('abort', () => cancelled.abort(
    new GatehouseError('DEVICE_TEST_CANCELLED', `The test of the ${DEVICE_NAMES[role]} was cancelled.`, { role })), { once: true });
  return AbortSignal.any([timeout.signal, cancelled.signal]);
}

function timeoutError(role: Role, timeoutMs: number): GatehouseError {
  const seconds = Math.round(timeoutMs / 1000);
  const what: Record<Role, string> = {
    'document-reader': `No document was read in ${seconds} s: lay a document on the reader and test again.`,
    fingerprint: `No finger was placed in ${seconds} s: press a finger flat on the scanner and test again.`,
    'chip-reader': `The chip reader was not found in ${seconds} s: check that pcscd runs and the reader is plugged in.`,
  };
  return new GatehouseError('DEVICE_TEST_TIMEOUT', what[role], { role, seconds });
}

/** Resolves once the device is ready (or busy with another job, which the test queues behind); fails when it is not there. */
async function usable(role: Role, device: StatusSource, signal: AbortSignal): Promise<void> {
  const now = unusable(role, device.status);
  if (now === 'usable') return;
  if (now instanceof Error) throw now;
  await until<void>(signal, (resolve, reject) => {
    const onStatus = (status: DeviceStatusView, fault: DeviceFault | null) => {
      const verdict = unusable(role, status, fault);
      if (verdict === 'usable') resolve();
      else if (verdict instanceof Error) reject(verdict);
    };
    device.on('status', onStatus);
    return () => device.off('status', onStatus);
  });
}

/**
 * What a status says about testing now: usable, a problem, or wait (still connecting, or a
 * fingerprint module shaking hands). `fault`: the detail that came with the status, if any.
 */
function unusable(role: Role, status: DeviceStatusView, fault: DeviceFault | null = null): 'usable' | 'wait' | GatehouseError {
  if (status.state === 'ready' || status.state === 'busy') return 'usable';
  if (status.state === 'not-configured') return deviceProblemError(role, 'not-set-up');
  if (status.problem) return deviceProblemError(role, status.problem, fault);
  return status.state === 'error' ? deviceProblemError(role, 'failed', fault) : 'wait';
}

/**
 * A promise settled by `subscribe`'s callbacks (even from within `subscribe`) or, with its
 * reason, by `signal`; the subscription is undone either way.
 */
function until<T>(signal: AbortSignal, subscribe: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => settle(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    const undo = subscribe((value) => settle(() => resolve(value)), (error) => settle(() => reject(error)));
    if (settled) undo();
    else unsubscribe = undo;
  });
}
