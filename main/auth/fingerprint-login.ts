// RPC handlers for logging in by finger: an operator who logged in with the PIN stores
// one finger in the module's library (Store at a slot ReadConList shows free; the slot is
// mapped to the operator in operator_fingers) and later logs in by placing it (Search).
// A disabled operator is refused as for the PIN; a PIN wait after wrong PINs does not hold a
// finger up (that is how an officer gets in while a stranger's guesses throttle the PIN), and
// a finger login clears the operator's wrong-PIN count like a PIN login.

import type { R30xDriver } from '../../native/fingerprint/r30x-driver.js';
import { availableModule, type FingerprintService } from '../devices/fingerprint-service.js';
import { flowReportingTo } from '../devices/fingerprint-progress.js';
import { captureOptions, readFingerprintPolicy } from '../enrollment/fingerprint-policy.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { fingerRefusal, identifyByFinger } from './operator-credential.js';
import { getOperator, recordLoginSuccess, toOperatorView } from './operator-repository.js';
import { librarySlotsInUse } from './login-finger-library.js';
import { operatorAtPage, operatorFingerOf, pagesInUse, saveOperatorFinger } from './operator-fingers.js';
import type { ScreenSession } from './screen-session.js';

export interface FingerprintLoginDeps {
  db: Db;
  now(): Date;
  idleTimeoutSeconds(): number;
  module(): FingerprintService | null;
}

export function fingerprintLoginHandlers({ db, now, idleTimeoutSeconds, module }: FingerprintLoginDeps)
  : Pick<Handlers<Procedures, ScreenSession>, 'auth.enrollFingerprint' | 'auth.loginFingerprint'> {
  return {
    'auth.enrollFingerprint': async ({ position }, ctx) => {
      const screen = ctx.caller;
      const operator = screen.operator;
      if (!operator || operator.via !== 'pin') {
        throw new GatehouseError('AUTH_PIN_REQUIRED', 'Log in with name and PIN to enroll a finger for logging in.');
      }
      const scanner = availableModule(module());
      const policy = readFingerprintPolicy(db);
      const page = await scanner.use(screen, async ({ driver, library, signal }) => {
        const captured = await flowReportingTo(screen.emit, driver, position)
          .capture({ position, ...captureOptions(policy), search: library, signal });
        const holder = captured.duplicate ? operatorAtPage(db, captured.duplicate.page) : null;
        if (holder !== null && holder !== operator.id) {
          throw new GatehouseError('AUTH_FINGER_TAKEN', 'This finger is already enrolled for another operator; use one of your own fingers.');
        }
        // A template no operator is known for (left by an enrollment that did not finish) is this finger: reuse its slot.
        const orphan = captured.duplicate && holder === null ? captured.duplicate.page : undefined;
        const target = operatorFingerOf(db, operator.id)?.page ?? orphan ?? await freeLibraryPage(driver, library.count, db);
        await driver.store(1, target);
        return target;
      });
      ctx.commit(() => saveOperatorFinger(db, { operatorId: operator.id, page, position }, now()),
        () => ({ operatorId: operator.id, page, position }));
      return { position };
    },

    'auth.loginFingerprint': async (_input, ctx) => {
      const screen = ctx.caller;
      const { row, outcome, at } = await identifyByFinger({ db, now, module }, screen);
      ctx.commit(() => {
        if (row && outcome === 'ok') recordLoginSuccess(db, row.id);
      }, () => ({ operatorId: row?.id ?? null, outcome }));
      const refusal = fingerRefusal(row, outcome);
      if (refusal) throw refusal;
      screen.login({ id: row!.id, name: row!.name, role: row!.role, via: 'fingerprint' });
      return { operator: toOperatorView(getOperator(db, row!.id), at), idleTimeoutSeconds: idleTimeoutSeconds() };
    },
  };
}

/** The lowest library slot that neither the module (ReadConList) nor an operator's record holds. */
async function freeLibraryPage(driver: R30xDriver, capacity: number, db: Db): Promise<number> {
  const used = new Set([...pagesInUse(db), ...await librarySlotsInUse(driver, capacity)]);
  for (let page = 0; page < capacity; page++) if (!used.has(page)) return page;
  throw new GatehouseError('AUTH_FINGER_LIBRARY_FULL',
    `The fingerprint scanner's library is full (${capacity} fingers); ask a technician to clear fingers no longer used.`);
}
