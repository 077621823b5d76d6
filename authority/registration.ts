// Provisioning tokens and kiosk registration. A token is one-time and expiring and is stored only
// as its SHA-256; registering with it gives the kiosk an id, its kiosk code (the first part of its
// enrollment numbers) and the authority keys to pin.
// Revocation is for a kiosk that is lost or retired: its requests get 403 from then on.
import { randomBytes, randomUUID } from 'node:crypto';
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import type { RegisterKioskRequest, RegisterKioskResponse } from '../protocol/api.js';
import { sha256Hex } from '../protocol/wire-fields.js';
import type { NewKiosk, Registration } from './store/repository.js';

export async function createProvisioningToken(authority: Authority, ttlSeconds: number): Promise<{ token: string; expiresAt: string }> {
  const token = `ght_${randomBytes(24).toString('base64url')}`;
  const now = authority.clock();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await authority.repository.addToken({ hash: sha256Hex(token), createdAt: now.toISOString(), expiresAt });
  return { token, expiresAt };
}

const REFUSALS: Record<Exclude<Registration, 'registered'>, [status: number, code: string, message: string]> = {
  'token-unknown': [401, 'TOKEN_UNKNOWN', 'This provisioning token is not known here; check it was copied whole, or create one with "gatehouse-authority token create".'],
  'token-used': [401, 'TOKEN_USED', 'This provisioning token has already registered a kiosk; each token works once. Create a new one.'],
  'token-expired': [401, 'TOKEN_EXPIRED', 'This provisioning token has expired; create a new one.'],
  'key-taken': [409, 'KIOSK_KEY_TAKEN', 'Another kiosk is registered with this signing key; let the kiosk generate fresh keys.'],
  'codes-exhausted': [409, 'KIOSK_CODES_EXHAUSTED', 'Every kiosk code of this authority has been given out; no further kiosk can register here.'],
};

export async function registerKiosk(authority: Authority, request: RegisterKioskRequest): Promise<RegisterKioskResponse> {
  const kiosk: NewKiosk = {
    id: randomUUID(),
    name: request.name,
    signingPublicKey: request.signingPublicKey,
    sealingPublicKey: request.sealingPublicKey,
    registeredAt: nowIso(authority),
    revokedAt: null,
  };
  const outcome = await authority.repository.registerKiosk(sha256Hex(request.token), kiosk.registeredAt, kiosk);
  if (outcome !== 'registered') throw new AuthorityError(...REFUSALS[outcome]);
  const { code } = (await authority.repository.findKiosk(kiosk.id))!;
  return { kioskId: kiosk.id, code, name: kiosk.name, registeredAt: kiosk.registeredAt, authority: authority.keys.published };
}

export async function revokeKiosk(authority: Authority, kioskId: string): Promise<void> {
  if (!(await authority.repository.revokeKiosk(kioskId, nowIso(authority)))) {
    throw new AuthorityError(404, 'KIOSK_NOT_FOUND', `No kiosk ${kioskId} is registered; "gatehouse-authority kiosk list" shows them.`, { kioskId });
  }
}
