// The kiosk's RPC contract: every procedure and event the renderer can use, declared
// once. The dispatcher enforces it at run time; the renderer's client is typed from it.
// Shared schemas live in schemas.ts; larger domains declare theirs under procedures/.

import { z } from 'zod';
import { ROLES, event, procedure } from './define.js';
import {
  ChipScenario, Empty, Enrollment, FingerPosition, Operator, OperatorName, Pin, Settings, SystemStatus,
} from './schemas.js';
import { auditProcedures } from './procedures/audit.js';
import { operatorsProcedures } from './procedures/operators.js';
import { faceEvents, faceProcedures } from './procedures/face.js';
import { fingerprintEvents, fingerprintProcedures } from './procedures/fingerprint.js';
import { CameraChoice, devicesProcedures } from './procedures/devices.js';
import { diagnosticsEvents, diagnosticsProcedures } from './procedures/diagnostics.js';
import { enrollmentProcedures } from './procedures/enrollment.js';
import { recordsProcedures } from './procedures/records.js';
import { reviewQueueProcedures } from './procedures/review-queue.js';
import { settingsProcedures } from './procedures/settings.js';
import { syncEvents, syncProcedures } from './procedures/sync.js';

export * from './schemas.js';

const staff = ROLES;

export const procedures = {
  'system.info': procedure({
    summary: 'What the start screen needs: version, host, first-run state, defaults.',
    input: Empty,
    output: z.object({
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      firstRun: z.boolean(),
      simulatedDevices: z.boolean(),
      /** The camera the face step opens (null: the browser's default). */
      camera: CameraChoice,
      settings: Settings,
    }),
    access: 'anyone',
  }),
  'system.status': procedure({
    summary: 'Device, network and queue state for the status bar.',
    input: Empty,
    output: SystemStatus,
    access: 'anyone',
  }),
  'setup.createFirstTechnician': procedure({
    summary: 'First run only: create the technician who provisions this kiosk.',
    input: z.object({ name: OperatorName, pin: Pin }).strict(),
    output: Operator,
    access: 'anyone',
    audit: 'operator.create-first',
  }),
  'auth.login': procedure({
    summary: 'Log an operator in with name and PIN (after wrong PINs, attempts wait a growing delay).',
    input: z.object({ name: OperatorName, pin: z.string().min(1).max(128) }).strict(),
    output: z.object({ operator: Operator, idleTimeoutSeconds: z.number().int() }),
    access: 'anyone',
    audit: 'auth.login',
  }),
  'auth.logout': procedure({
    summary: 'End the operator session on this screen.',
    input: Empty,
    output: Empty,
    access: staff,
    audit: 'auth.logout',
  }),
  'auth.whoami': procedure({
    summary: 'The operator logged in on this screen, if any.',
    input: Empty,
    output: Operator.nullable(),
    access: 'anyone',
  }),
  'session.touch': procedure({
    summary: 'The person is active; away=true while the screen is not the start screen.',
    input: z.object({ away: z.boolean() }).strict(),
    output: z.object({ idleTimeoutSeconds: z.number().int() }),
    access: 'anyone',
  }),
  ...operatorsProcedures,
  ...auditProcedures,
  'document.keyboardKeys': procedure({
    summary: 'Keys typed while the document step shows, with their times, for keyboard-wedge MRZ readers.',
    input: z.object({
      keys: z.array(z.object({ key: z.string().min(1).max(16), at: z.number().finite().nonnegative() }).strict()).min(1).max(200),
    }).strict(),
    output: Empty,
    access: 'anyone',
  }),
  'devices.simulate': procedure({
    summary: 'Simulated devices only: present a sample document (and its chip), place or lift a finger.',
    input: z.object({
      action: z.enum(['present-document', 'present-bad-document', 'remove-document', 'place-finger', 'lift-finger']),
      sample: z.enum(['passport', 'id-card', 'visa', 'cnid']).default('passport'),
      /** present-document of a passport or ID card with a simulated chip reader: the chip put on it (default: a valid one; none: nothing on the chip reader). */
      chip: z.union([ChipScenario, z.literal('none')]).default('valid'),
      /** place-finger: this finger of this simulated person ("applicant", or an operator's name). */
      finger: FingerPosition.default(2),
      person: z.string().trim().min(1).max(64).default('applicant'),
    }).strict(),
    output: Empty,
    access: 'anyone',
  }),
  ...settingsProcedures,
  ...enrollmentProcedures,
  ...reviewQueueProcedures,
  ...recordsProcedures,
  ...faceProcedures,
  ...fingerprintProcedures,
  ...syncProcedures,
  ...devicesProcedures,
  ...diagnosticsProcedures,
} as const;

export const events = {
  'session.idleWarning': event({
    summary: 'No activity: the session ends in secondsLeft unless the person touches the screen.',
    payload: z.object({ secondsLeft: z.number().int().nonnegative() }),
  }),
  'session.ended': event({
    summary: 'The session ended; the screen returns to the start and capture data is gone.',
    payload: z.object({ reason: z.enum(['idle', 'logout']) }),
  }),
  'enrollment.changed': event({
    summary: 'The enrollment on this screen changed (new document read, step, …).',
    payload: Enrollment.nullable(),
  }),
  'system.statusChanged': event({
    summary: 'Device, network or queue state changed.',
    payload: SystemStatus,
  }),
  ...faceEvents,
  ...fingerprintEvents,
  ...syncEvents,
  ...diagnosticsEvents,
} as const;

export type Procedures = typeof procedures;
export type Events = typeof events;
export type MethodName = keyof Procedures;
export type EventName = keyof Events;
