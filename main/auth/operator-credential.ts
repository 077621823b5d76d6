// Identifying an operator at a screen without logging the screen in: a second approver, an
// officer called to a business owner's screen, a supervisor confirming a decision. By name
// (or the operator logged in here) and PIN, checked exactly as a login (decoy hash, PIN waits),
// or by a finger searched on the module's library, which no PIN wait holds up. Every refusal is
// recorded by the caller's audited transaction before it is thrown.

import type { z } from 'zod';
import { availableModule, type FingerprintService } from '../devices/fingerprint-service.js';
import { flowReportingTo } from '../devices/fingerprint-progress.js';
import { captureOptions, readFingerprintPolicy } from '../enrollment/fingerprint-policy.js';
import { GatehouseError } from '../errors.js';
import type { OperatorCredential } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { operatorAtPage } from './operator-fingers.js';
import { findOperatorByName, getOperator, type OperatorRow } from './operator-repository.js';
import { checkOperatorPin, disabledError, type PinRefusal } from './pin-check.js';
import type { ScreenSession } from './screen-session.js';

export type Credential = z.infer<typeof OperatorCredential>;
export type FingerOutcome = 'ok' | 'not-found' | 'disabled';

export interface CredentialDeps {
  db: Db;
  now(): Date;
  module(): FingerprintService | null;
}

/**
 * Records a refusal in the caller's audited transaction: runs `change` (the failure count, or
 * nothing) and returns what it returned. `operatorId` is whom the credential was claimed for, if known.
 */
export type RecordRefusal = <T>(outcome: PinRefusal | 'not-found', change: () => T, operatorId: number | null) => T;

/**
 * One impression searched on the module's library: the operator it belongs to and whether they
 * may act. Wrong PINs do not hold a finger up: the operator is there, and a finger cannot be guessed.
 */
export async function identifyByFinger({ db, now, module }: CredentialDeps, screen: ScreenSession)
  : Promise<{ row: OperatorRow | undefined; outcome: FingerOutcome; at: Date }> {
  const scanner = availableModule(module());
  const { placeTimeoutMs } = captureOptions(readFingerprintPolicy(db));
  const hit = await scanner.use(screen, ({ driver, library, signal }) =>
    flowReportingTo(screen.emit, driver, null).identify({ placeTimeoutMs, search: library, signal }));
  const operatorId = hit.found ? operatorAtPage(db, hit.page) : null;
  const row = operatorId === null ? undefined : getOperator(db, operatorId);
  const at = now();
  const outcome = !row ? 'not-found' : row.disabled_at ? 'disabled' : 'ok';
  return { row, outcome, at };
}

/** The error for a finger that may not act; null when it may. */
export function fingerRefusal(row: OperatorRow | undefined, outcome: FingerOutcome): GatehouseError | null {
  if (outcome === 'ok') return null;
  if (!row || outcome === 'not-found') {
    return new GatehouseError('AUTH_FINGER_UNKNOWN', 'This finger is not enrolled for any operator. Try again, or use name and PIN.');
  }
  return disabledError();
}

/** The operator `credential` proves; refusals are recorded, then thrown. */
export async function identifyOperator(deps: CredentialDeps, screen: ScreenSession, credential: Credential, record: RecordRefusal)
  : Promise<OperatorRow> {
  if (credential.method === 'fingerprint') {
    const { row, outcome } = await identifyByFinger(deps, screen);
    const refusal = fingerRefusal(row, outcome);
    if (refusal) {
      record(outcome === 'ok' ? 'failed' : outcome, () => null, row?.id ?? null);
      throw refusal;
    }
    return row!;
  }
  const { db } = deps;
  let row: OperatorRow | undefined;
  if (credential.name !== undefined) row = findOperatorByName(db, credential.name);
  else if (screen.operator) row = getOperator(db, screen.operator.id);
  else throw new GatehouseError('CREDENTIAL_NAME_MISSING', "Enter the operator's name as well as the PIN.");
  return checkOperatorPin({
    db, row, pin: credential.pin, at: deps.now(), recordRefusal: (outcome, change) => record(outcome, change, row?.id ?? null),
  });
}
