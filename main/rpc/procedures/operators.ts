// Managing the kiosk's operators: the list (with each one's login finger and wrong PINs),
// creating and disabling them, clearing a PIN wait, resetting a PIN, changing a role, removing
// a login finger, and an operator changing their own PIN. Who may do what to whom beyond the
// roles below is checked by the handlers (main/auth/operator-management.ts), because it
// depends on the target operator's stored role.
import { z } from 'zod';
import { ROLES, procedure } from '../define.js';
import { Empty, FingerPosition, Operator, OperatorName, Pin, PinFailures } from '../schemas.js';

const staff = ROLES;
const managers = ['supervisor', 'technician'] as const;
const OperatorId = z.number().int().positive();

/** An operator as the operators panel lists them: with the login finger they enrolled, if any. */
export const OperatorEntry = Operator.extend({
  loginFinger: z.object({ position: FingerPosition, enrolledAt: z.string() }).nullable(),
});

export const operatorsProcedures = {
  'operators.list': procedure({
    summary: 'Every operator of this kiosk with their login finger (never their PIN hashes or templates).',
    input: Empty,
    output: z.array(OperatorEntry),
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
    input: z.object({ id: OperatorId }).strict(),
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
    input: z.object({ id: OperatorId }).strict(),
    output: Operator,
    access: managers,
    audit: 'operator.unlock',
  }),
  'operators.resetPin': procedure({
    summary: 'Give another operator a new PIN and clear their PIN wait (technicians: anyone; supervisors: officers).',
    input: z.object({ id: OperatorId, pin: Pin }).strict(),
    output: Operator,
    access: managers,
    audit: 'operator.pin-reset',
  }),
  'operators.changeOwnPin': procedure({
    summary: 'The operator logged in here changes their own PIN, giving the current one (checked as a login).',
    input: z.object({ currentPin: z.string().min(1).max(128), pin: Pin }).strict(),
    output: Operator,
    access: staff,
    audit: 'operator.pin-changed',
  }),
  'operators.setRole': procedure({
    summary: 'Change another operator\'s role; the kiosk always keeps an enabled technician. Ends their sessions.',
    input: z.object({ id: OperatorId, role: z.enum(ROLES) }).strict(),
    output: Operator,
    access: ['technician'],
    audit: 'operator.role-changed',
  }),
  'operators.removeFinger': procedure({
    summary: 'Remove an operator\'s login finger from the store and the scanner\'s library (later, if the scanner is away).',
    input: z.object({ id: OperatorId }).strict(),
    output: z.object({
      operator: OperatorEntry,
      /** Whether the scanner's library dropped the template now; if not, it does at its next connection. */
      clearedOnScanner: z.boolean(),
    }),
    access: managers,
    audit: 'operator.finger-removed',
  }),
} as const;
