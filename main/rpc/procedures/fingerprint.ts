// The fingerprint procedures and events: capturing the fingers an enrollment asks for
// (or recording why a finger cannot be captured, with a photo), and operators' login fingers.

import { z } from 'zod';
import { event, procedure } from '../define.js';
import {
  Empty, Enrollment, ExceptionNote, FingerExceptionReason, FingerPosition, FingerQuality, JpegBase64, Operator,
} from '../schemas.js';

const approvers = ['officer', 'supervisor'] as const;
const OneFinger = z.object({ position: FingerPosition }).strict();

export const FingerprintProgress = z.object({
  /** The finger being captured; null while identifying a finger to log in. */
  position: FingerPosition.nullable(),
  attempt: z.number().int().positive(),
  state: z.enum(['place', 'lift', 'place-again', 'capturing', 'uploading']),
  /** Image bytes received from the module so far, while uploading. */
  upload: z.object({ bytes: z.number().int().nonnegative(), total: z.number().int().positive() }).nullable(),
  /** This attempt's image quality, once judged. */
  quality: FingerQuality.nullable(),
  /** Why an earlier attempt was not kept (quality below the threshold, a messy image …), in English. */
  retryReason: z.string().nullable(),
});

export const fingerprintProcedures = {
  'fingerprint.capture': procedure({
    summary: 'Capture one requested finger: two impressions, template, image and quality, duplicate search; answers when done.',
    input: OneFinger,
    output: Enrollment,
    access: approvers,
    audit: 'fingerprint.captured',
  }),
  'fingerprint.cancel': procedure({
    summary: "Stop this screen's fingerprint operation (a capture, enrolling a login finger, logging in by finger).",
    input: Empty,
    output: z.object({ cancelled: z.boolean() }),
    access: 'anyone',
  }),
  'fingerprint.retry': procedure({
    summary: "Discard a finger's capture or exception so that it can be captured again.",
    input: OneFinger,
    output: Enrollment,
    access: approvers,
    audit: 'fingerprint.discarded',
  }),
  'fingerprint.recordException': procedure({
    summary: 'Record instead of a capture that a requested finger cannot be captured: why, a note and a photo of the hand.',
    input: z.strictObject({ position: FingerPosition, reason: FingerExceptionReason, note: ExceptionNote, photo: JpegBase64 }),
    output: Enrollment,
    access: approvers,
    audit: 'fingerprint.exception',
  }),
  'fingerprint.finish': procedure({
    summary: 'Leave the fingerprint step once every requested finger has a capture or an exception (a duplicate warning needs a second approval later).',
    input: Empty,
    output: Enrollment,
    access: approvers,
    audit: 'fingerprint.step-finished',
  }),
  'fingerprint.image': procedure({
    summary: "A captured finger's image (8-bit grey PNG, base64) for the officer to look at.",
    input: OneFinger,
    output: z.object({ png: z.string() }),
    access: approvers,
  }),
  'auth.enrollFingerprint': procedure({
    summary: "Store the logged-in operator's finger in the module library for logging in by finger (after a PIN log-in).",
    input: OneFinger,
    output: z.object({ position: FingerPosition }),
    access: approvers,
    audit: 'auth.fingerprint-enrolled',
  }),
  'auth.loginFingerprint': procedure({
    summary: 'Log in by placing an enrolled finger (on-module Search); a disabled operator is refused, a PIN wait does not apply.',
    input: Empty,
    output: z.object({ operator: Operator, idleTimeoutSeconds: z.number().int() }),
    access: 'anyone',
    audit: 'auth.login-fingerprint',
  }),
} as const;

export const fingerprintEvents = {
  'fingerprint.progress': event({
    summary: 'What the fingerprint module waits for or does for this screen: place, lift, place again, capturing, uploading.',
    payload: FingerprintProgress,
  }),
} as const;
