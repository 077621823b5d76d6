// RPC handlers for managing operators from the staff screen, and the rights behind them:
// technicians act on anyone but themselves; supervisors on officers only (their own login
// finger too); nobody disables themselves, resets their own PIN without the current one, or
// changes their own role. Only technicians change roles, and never so that no enabled
// technician is left. A new role ends the operator's sessions, so they log in again with it.
// Every change goes through ctx.commit, audited without PINs or templates.

import type { Log } from '../log.js';
import { GatehouseError } from '../errors.js';
import type { FingerprintService } from '../devices/fingerprint-service.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { OperatorEntry } from '../rpc/procedures/operators.js';
import type { Db } from '../store/database.js';
import type { z } from 'zod';
import { deleteLoginTemplate } from './login-finger-library.js';
import { forgetOperatorFinger, listOperatorFingers, operatorFingerOf } from './operator-fingers.js';
import {
  createOperator, disableOperator, getOperator, listOperators, setOperatorPin, setOperatorRole, toOperatorView, unlockOperator,
  type OperatorRow,
} from './operator-repository.js';
import { checkOperatorPin } from './pin-check.js';
import { recentPinFailures } from './pin-failures.js';
import { hashPin } from './pin-hash.js';
import type { ScreenSession, SessionOperator } from './screen-session.js';

type OperatorMethods =
  | 'operators.list' | 'operators.create' | 'operators.disable' | 'operators.pinFailures' | 'operators.unlock'
  | 'operators.resetPin' | 'operators.changeOwnPin' | 'operators.setRole' | 'operators.removeFinger';

export interface OperatorManagementDeps {
  db: Db;
  now(): Date;
  /** Ends every screen session of an operator (after disabling them or changing their role). */
  endSessionsOf(operatorId: number): void;
  /** The fingerprint module, if the kiosk runs one. */
  module(): FingerprintService | null;
  log: Log;
}

/** The operator logged in on the screen; the procedures' roles let no one else in. */
function self(screen: ScreenSession): SessionOperator {
  const operator = screen.operator;
  if (!operator) throw new GatehouseError('RPC_UNAUTHENTICATED', 'Log in first.');
  return operator;
}

/** Technicians act on anyone; supervisors on officers (and, where `orSelf`, on themselves). */
function assertWithinRights(actor: SessionOperator, target: OperatorRow, what: string, { orSelf = false } = {}): void {
  if (actor.role === 'technician' || target.role === 'officer' || (orSelf && target.id === actor.id)) return;
  throw new GatehouseError('RPC_FORBIDDEN', `A ${actor.role} may not ${what} a ${target.role}.`, { targetRole: target.role });
}

export function operatorManagementHandlers({ db, now, endSessionsOf, module, log }: OperatorManagementDeps)
  : Pick<Handlers<Procedures, ScreenSession>, OperatorMethods> {
  const entries = (): Array<z.infer<typeof OperatorEntry>> => {
    const fingers = new Map(listOperatorFingers(db).map((finger) => [finger.operatorId, finger]));
    return listOperators(db).map((row) => {
      const finger = fingers.get(row.id);
      return { ...toOperatorView(row, now()), loginFinger: finger ? { position: finger.position, enrolledAt: finger.enrolledAt } : null };
    });
  };

  return {
    'operators.list': () => entries(),

    'operators.create': async ({ name, role, pin }, ctx) => {
      const pinHash = await hashPin(pin);
      const row = ctx.commit(() => createOperator(db, { name, role, pinHash }, now()),
        (created) => ({ operatorId: created.id, role: created.role }));
      return toOperatorView(row, now());
    },

    'operators.disable': ({ id }, ctx) => {
      const target = getOperator(db, id);
      const actor = self(ctx.caller);
      if (actor.id === id) {
        throw new GatehouseError('OPERATOR_SELF_DISABLE', 'You cannot disable yourself; ask another supervisor or technician.');
      }
      assertWithinRights(actor, target, 'disable');
      const row = ctx.commit(() => disableOperator(db, id, now()), () => ({ operatorId: id }));
      endSessionsOf(id);
      return toOperatorView(row, now());
    },

    'operators.pinFailures': () => recentPinFailures(db, now()),

    'operators.unlock': ({ id }, ctx) => {
      getOperator(db, id);
      const row = ctx.commit(() => unlockOperator(db, id), () => ({ operatorId: id }));
      return toOperatorView(row, now());
    },

    'operators.resetPin': async ({ id, pin }, ctx) => {
      const target = getOperator(db, id);
      const actor = self(ctx.caller);
      if (actor.id === id) {
        throw new GatehouseError('OPERATOR_SELF_PIN_RESET', 'To change your own PIN, use "Change my PIN" and give your current PIN.');
      }
      assertWithinRights(actor, target, 'reset the PIN of');
      const pinHash = await hashPin(pin);
      const row = ctx.commit(() => setOperatorPin(db, id, pinHash), () => ({ operatorId: id }));
      return toOperatorView(row, now());
    },

    'operators.changeOwnPin': async ({ currentPin, pin }, ctx) => {
      const actor = self(ctx.caller);
      // Checked as a login: wrong PINs count and wait, so an unattended screen is no way to guess.
      await checkOperatorPin({
        db, row: getOperator(db, actor.id), pin: currentPin, at: now(),
        recordRefusal: (outcome, change) => ctx.commit(change, () => ({ operatorId: actor.id, outcome })),
      });
      const pinHash = await hashPin(pin);
      const row = ctx.commit(() => setOperatorPin(db, actor.id, pinHash), () => ({ operatorId: actor.id, outcome: 'ok' }));
      return toOperatorView(row, now());
    },

    'operators.setRole': ({ id, role }, ctx) => {
      const target = getOperator(db, id);
      if (self(ctx.caller).id === id) {
        throw new GatehouseError('OPERATOR_SELF_ROLE', 'You cannot change your own role; ask another technician.');
      }
      if (target.role === role) return toOperatorView(target, now());
      const row = ctx.commit(() => setOperatorRole(db, id, role), () => ({ operatorId: id, oldRole: target.role, newRole: role }));
      endSessionsOf(id);
      return toOperatorView(row, now());
    },

    'operators.removeFinger': async ({ id }, ctx) => {
      const target = getOperator(db, id);
      assertWithinRights(self(ctx.caller), target, 'remove the login finger of', { orSelf: true });
      const finger = operatorFingerOf(db, id);
      if (!finger) throw new GatehouseError('OPERATOR_NO_LOGIN_FINGER', `Operator ${id} has no login finger enrolled.`, { id });
      const clearedOnScanner = await deleteLoginTemplate(module(), ctx.caller, finger.page, log);
      ctx.commit(() => forgetOperatorFinger(db, id),
        () => ({ operatorId: id, position: finger.position, page: finger.page, clearedOnScanner }));
      return { operator: entries().find((entry) => entry.id === id)!, clearedOnScanner };
    },
  };
}
