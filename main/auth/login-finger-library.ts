// Keeps the fingerprint module's library to the login fingers the store knows: a removed login
// finger's template is deleted from the module at once when the module is there, and otherwise
// at its next connection, when every template no operator is mapped to (operator_fingers) is
// deleted. Only login fingers are ever stored on the module (an applicant's never are), so a
// template the store does not know is one left by a removal or by an enrollment that failed.

import type { z } from 'zod';
import { DeviceError } from '../../native/device-error.js';
import type { R30xDriver } from '../../native/fingerprint/r30x-driver.js';
import type { FingerprintOwner, FingerprintService } from '../devices/fingerprint-service.js';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { Log } from '../log.js';
import type { DeviceStatus } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { pagesInUse } from './operator-fingers.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

/** ReadConList reports the library in index pages of 256 slots. */
const SLOTS_PER_INDEX_PAGE = 256;

/** The kiosk itself, for work no screen asked for: nothing ends it. */
const kioskOwner = (): FingerprintOwner => ({ onEnd: () => () => undefined });

/**
 * Deletes the template in `page` from the module's library; false (with the reason logged) when
 * the module is absent, not ready or fails, so the next connection's clean-up takes it.
 */
export async function deleteLoginTemplate(module: FingerprintService | null, owner: FingerprintOwner, page: number, log: Log): Promise<boolean> {
  if (!module) return false;
  try {
    await module.use(owner, ({ driver }) => driver.deleteChar(page, 1));
    return true;
  } catch (error) {
    if (!(error instanceof GatehouseError || error instanceof DeviceError)) throw error;
    log.warn('login finger template left on the fingerprint module until its next connection', { page, code: error.code, reason: error.message });
    return false;
  }
}

/** The library slots of a module with `capacity` slots that hold a template (ReadConList over every index page). */
export async function librarySlotsInUse(driver: R30xDriver, capacity: number): Promise<number[]> {
  const used: number[] = [];
  for (let index = 0; index * SLOTS_PER_INDEX_PAGE < capacity; index++) used.push(...(await driver.readConList(index)).usedSlots);
  return used;
}

/** Deletes every template no operator's login finger is mapped to; audited when there was one. */
export async function clearUnknownTemplates(module: FingerprintService, { db }: { db: Db }): Promise<number> {
  const used = await module.use(kioskOwner(), ({ driver, library }) => librarySlotsInUse(driver, library.count));
  // Read after the module's answer: a login finger stored meanwhile has been committed by now.
  const known = new Set(pagesInUse(db));
  const unknown = used.filter((page) => !known.has(page));
  for (const page of unknown) await module.use(kioskOwner(), ({ driver }) => driver.deleteChar(page, 1));
  if (unknown.length > 0) appendAudit(db, { actor: 'kiosk', action: 'operator.finger-library-cleaned', details: { slots: unknown.length } });
  return unknown.length;
}

/**
 * A listener for device states that runs the clean-up each time the fingerprint module is ready
 * after a (re)connection (whichever module fills the role then), and at once if one is ready now.
 */
export function loginLibraryCleaner(module: () => FingerprintService | null, deps: { db: Db; log: Log }): (device: DeviceStatusView) => void {
  let connected = false;
  const clean = () => {
    const current = module();
    if (!current) return;
    clearUnknownTemplates(current, deps).catch((error: unknown) => deps.log.warn('unknown templates not cleared from the fingerprint module', {
      reason: error instanceof Error ? error.message : String(error),
    }));
  };
  if (module()?.status.state === 'ready') clean();
  return ({ kind, state }) => {
    if (kind !== 'fingerprint') return;
    if (state === 'connected') connected = true;
    if (state === 'ready' && connected) {
      connected = false;
      clean();
    }
  };
}
