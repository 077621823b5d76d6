// The kiosk's RPC contract: every procedure and event the renderer can use, declared
// once. The dispatcher enforces it at run time; the renderer's client is typed from it.
// Shared schemas live in schemas.ts; larger domains declare theirs under procedures/.

import { z } from 'zod';
import { ROLES, event, procedure } from './define.js';
import {
  AuditEntry, AuditVerification, ChipScenario, Empty, Enrollment, FingerPosition, Operator, OperatorName, Pin, PinFailures, Settings, SystemStatus,
} from './schemas.js';
import { faceEvents, faceProcedures } from './procedures/face.js';
import { fingerprintEvents, fingerprintProcedures } from './procedures/fingerprint.js';
import { enrollmentProcedures } from './procedures/enrollment.js';
import { recordsProcedures } from './procedures/records.js';
import { reviewQueueProcedures } from './procedures/review-queue.js';
import { syncEvents, syncProcedures } from './procedures/sync.js';

export * from './schemas.js';

const staff = ROLES;
const managers = ['supervisor', 'technician'] as const;

export const procedures = {
  'system.info': procedure({
    summary: 'What the start screen needs: version, host, first-run state, defaults.',
    input: Empty,
    output: z.object({
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      firstRun: z.boolean(),
      simulatedDevices: z.boolean(),
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
  'operators.list': procedure({
    summary: 'Every operator of this kiosk (never their PIN hashes).',
    input: Empty,
    output: z.array(Operator),
    access: managers,
  }),
  'operators.create': procedure({
    summary: 'Create an officer, supervisor or technician.',
    input: z.object({ name: OperatorName, role: z.enum(ROLES), pin: Pin }).strict(),
    output: Operator,
    access: ['technician'],
    audit: 'operator.create',
  }),
  'operators.disable': procedure({
    summary: 'Disable an operator (supervisors may disable officers only).',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: Operator,
    access: managers,
    audit: 'operator.disable',
  }),
  'operators.pinFailures': procedure({
    summary: 'Wrong PINs of the last 24 hours per operator and for the station, and the PIN waits in force.',
    input: Empty,
    output: PinFailures,
    access: managers,
  }),
  'operators.unlock': procedure({
    summary: 'Clear an operator\'s wrong-PIN count and PIN wait.',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: Operator,
    access: managers,
    audit: 'operator.unlock',
  }),
  'audit.verify': procedure({
    summary: 'Check the audit hash chain and name the first broken entry.',
    input: Empty,
    output: AuditVerification,
    access: managers,
  }),
  'audit.list': procedure({
    summary: 'Audit entries after a sequence number, oldest first.',
    input: z.object({ afterSeq: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.array(AuditEntry),
    access: managers,
  }),
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
  'settings.update': procedure({
    summary: 'Change station settings (idle timeout, default language, second approvals and held enrollments).',
    input: Settings.partial().strict(),
    output: Settings,
    access: ['technician'],
    audit: 'settings.update',
  }),
  ...enrollmentProcedures,
  ...reviewQueueProcedures,
  ...recordsProcedures,
  ...faceProcedures,
  ...fingerprintProcedures,
  ...syncProcedures,
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
} as const;

export type Procedures = typeof procedures;
export type Events = typeof events;
export type MethodName = keyof Procedures;
export type EventName = keyof Events;
