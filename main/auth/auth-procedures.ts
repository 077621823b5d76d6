// RPC handlers for first-run set-up, login/logout and screen activity (managing operators is
// operator-management.ts). Each state change goes through ctx.commit so its audit entry lands
// in the same transaction.

import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { countOperators, createOperator, findOperatorByName, getOperator, recordLoginSuccess, toOperatorView } from './operator-repository.js';
import { checkOperatorPin } from './pin-check.js';
import { hashPin } from './pin-hash.js';
import type { ScreenSession } from './screen-session.js';

type AuthMethods = 'setup.createFirstTechnician' | 'auth.login' | 'auth.logout' | 'auth.whoami' | 'session.touch';

export interface AuthDeps {
  db: Db;
  now(): Date;
  idleTimeoutSeconds(): number;
}

export function authHandlers({ db, now, idleTimeoutSeconds }: AuthDeps): Pick<Handlers<Procedures, ScreenSession>, AuthMethods> {
  return {
    'setup.createFirstTechnician': async ({ name, pin }, ctx) => {
      const pinHash = await hashPin(pin);
      const row = ctx.commit(() => {
        if (countOperators(db) > 0) {
          throw new GatehouseError('SETUP_ALREADY_DONE', 'This kiosk already has operators; ask a technician to log in.');
        }
        return createOperator(db, { name, role: 'technician', pinHash }, now());
      }, (created) => ({ operatorId: created.id, role: created.role }));
      return toOperatorView(row, now());
    },

    'auth.login': async ({ name, pin }, ctx) => {
      const found = findOperatorByName(db, name);
      const at = now();
      const row = await checkOperatorPin({
        db, row: found, pin, at,
        recordRefusal: (outcome, change) => ctx.commit(change, () => ({ operatorId: found?.id ?? null, outcome })),
      });
      ctx.commit(() => recordLoginSuccess(db, row.id), () => ({ operatorId: row.id, outcome: 'ok' }));
      ctx.caller.login({ id: row.id, name: row.name, role: row.role, via: 'pin' });
      return { operator: toOperatorView(getOperator(db, row.id), at), idleTimeoutSeconds: idleTimeoutSeconds() };
    },

    'auth.logout': (_input, ctx) => {
      const operator = ctx.caller.operator;
      ctx.commit(() => null, () => ({ operatorId: operator?.id ?? null }));
      ctx.caller.end('logout');
      return {};
    },

    'auth.whoami': (_input, ctx) => {
      const operator = ctx.caller.operator;
      return operator ? toOperatorView(getOperator(db, operator.id), now()) : null;
    },

    'session.touch': ({ away }, ctx) => {
      ctx.caller.touch(away);
      return { idleTimeoutSeconds: idleTimeoutSeconds() };
    },
  };
}
