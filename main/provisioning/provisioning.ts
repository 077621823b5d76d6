// Provisioning a kiosk: generate its Ed25519 signing and X25519 sealing keys here, register
// the public halves with the authority using a one-time token, and commit the private halves
// with the identity and the pinned authority keys in one transaction of the encrypted store.
// Single-flight through the provisioning lease. Used by the technician screen and `gatehouse provision`.
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../protocol/keys.js';
import { GatehouseError } from '../errors.js';
import type { ProvisioningStatus } from '../rpc/procedures/sync.js';
import type { Db } from '../store/database.js';
import { AuthorityClient } from '../sync/authority-client.js';
import type { KeyVault, KioskKeys } from './key-vault.js';
import { endProvisioningLeaseIn, releaseProvisioningLease, takeProvisioningLease } from './provisioning-lease.js';
import {
  insertIdentity, loadCredentials, pinnedAuthorityKeys, readIdentity, type KioskCredentials, type KioskIdentity,
} from './kiosk-credentials.js';

export interface RegisterInput {
  authorityUrl: string;
  token: string;
  /** How the authority lists this kiosk. */
  name: string;
}

/** What the technician screen shows: kiosk id, authority, and the key ids to compare with the authority's. */
export type ProvisioningStatusView = z.infer<typeof ProvisioningStatus>;

/** The authority URL as given, if it is an http(s) URL without credentials, query or fragment. */
export function authorityUrlOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GatehouseError('PROVISIONING_URL_INVALID', `"${text}" is not a URL; give the authority's address, e.g. https://authority.example:8443.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new GatehouseError('PROVISIONING_URL_INVALID', 'The authority URL must be http(s)://host[:port][/path] without user, query or fragment.');
  }
  return url.toString().replace(/\/+$/, '');
}

export class Provisioning extends EventEmitter<{ provisioned: [KioskCredentials] }> {
  #credentials: KioskCredentials | null;

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.#credentials = loadCredentials(db, vault);
  }

  /** The credentials, or null before provisioning. */
  get credentials(): KioskCredentials | null {
    return this.#credentials;
  }

  /**
   * Picks up an identity another process stored (`gatehouse provision` while the kiosk runs):
   * loads the credentials and announces them. Returns them, or null while there is none.
   */
  refresh(): KioskCredentials | null {
    if (this.#credentials === null && readIdentity(this.db) !== null) {
      this.#credentials = loadCredentials(this.db, this.vault);
      if (this.#credentials) this.emit('provisioned', this.#credentials);
    }
    return this.#credentials;
  }

  /** Refreshes every `intervalMs` until provisioned; `onError` hears a key file that does not fit the stored identity. */
  watch(intervalMs: number, onError: (error: unknown) => void): NodeJS.Timeout {
    const timer = setInterval(() => {
      try {
        if (this.refresh() !== null) clearInterval(timer);
      } catch (error) {
        onError(error);
      }
    }, intervalMs);
    timer.unref();
    if (this.#credentials !== null) clearInterval(timer);
    return timer;
  }

  /** The credentials; KIOSK_NOT_PROVISIONED before provisioning. */
  require(): KioskCredentials {
    if (this.#credentials === null) {
      throw new GatehouseError('KIOSK_NOT_PROVISIONED', 'This kiosk is not registered with an authority yet; a technician must provision it first.');
    }
    return this.#credentials;
  }

  status(): ProvisioningStatusView {
    const identity = readIdentity(this.db);
    if (identity === null) {
      return { provisioned: false, kioskId: null, name: null, authorityUrl: null, registeredAt: null, fingerprints: null };
    }
    return {
      provisioned: true,
      kioskId: identity.kioskId,
      name: identity.name,
      authorityUrl: identity.authorityUrl,
      registeredAt: identity.registeredAt,
      fingerprints: {
        kioskSigning: keyIdOf(this.require().keys.signing.publicKey),
        kioskSealing: keyIdOf(this.require().keys.sealing.publicKey),
        authoritySigning: identity.authority.signingKeyId,
        authoritySealing: identity.authority.sealingKeyId,
      },
    };
  }

  /**
   * Registers with the authority. `commit` stores the identity; callers pass one that writes
   * their audit entry in the same transaction (RPC: ctx.commit; CLI: its own transaction). The
   * lease is taken before the first await, so a second call (this screen, another screen or
   * another process) is refused with PROVISIONING_IN_PROGRESS; keys and identity commit together
   * or not at all, so a failed registration leaves the store as it was.
   */
  async register(input: RegisterInput, commit: (store: () => KioskIdentity) => KioskIdentity): Promise<ProvisioningStatusView> {
    const authorityUrl = authorityUrlOf(input.authorityUrl);
    const lease = takeProvisioningLease(this.db, 'register', this.now(), () => {
      if (readIdentity(this.db) !== null) {
        throw new GatehouseError('PROVISIONING_ALREADY_DONE',
          'This kiosk is already registered with an authority; its queued records are sealed to that authority, so it cannot be registered again.');
      }
    });
    try {
      const { identity, keys } = await registerWithAuthority({ ...input, authorityUrl }, this.now);
      commit(() => {
        endProvisioningLeaseIn(this.db, lease);
        insertIdentity(this.db, identity, keys);
        return identity;
      });
    } finally {
      releaseProvisioningLease(this.db, lease);
    }
    this.#credentials = loadCredentials(this.db, this.vault);
    if (this.#credentials) this.emit('provisioned', this.#credentials);
    return this.status();
  }
}

/** New keys made here and registered with the authority at `input.authorityUrl` (checked by authorityUrlOf); nothing stored. */
export async function registerWithAuthority(input: RegisterInput, now: () => Date): Promise<{ identity: KioskIdentity; keys: KioskKeys }> {
  const keys: KioskKeys = { signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() };
  const registered = await new AuthorityClient({ baseUrl: input.authorityUrl, now }).register({
    token: input.token,
    name: input.name,
    signingPublicKey: encodePublicKey(keys.signing.publicKey),
    sealingPublicKey: encodePublicKey(keys.sealing.publicKey),
  });
  pinnedAuthorityKeys(registered.authority);
  const identity: KioskIdentity = {
    kioskId: registered.kioskId,
    code: registered.code,
    name: registered.name,
    authorityUrl: input.authorityUrl,
    signingPublicKey: encodePublicKey(keys.signing.publicKey),
    sealingPublicKey: encodePublicKey(keys.sealing.publicKey),
    authority: registered.authority,
    registeredAt: registered.registeredAt,
  };
  return { identity, keys };
}
