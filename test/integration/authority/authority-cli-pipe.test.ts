// The installed `gatehouse-authority` command writing into a pipe whose reader stops early, as in
// `gatehouse-authority records --json | head -1`: it ends quietly with status 0, no stack trace.
// Spawns bin/gatehouse-authority.js, so it needs `npm run build` first.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuthority } from '../../../authority/authority.js';
import { initAuthorityKeys } from '../../../authority/keys/init-keys.js';
import { signReceipt } from '../../../protocol/receipt.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';

const BIN = join(import.meta.dirname, '../../../bin/gatehouse-authority.js');
const BUILT = existsSync(join(import.meta.dirname, '../../../dist/authority/cli/main.js'));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-authority-pipe-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** An authority holding `count` records: far more JSON than a pipe buffers. */
async function authorityWithRecords(count: number): Promise<void> {
  await initAuthorityKeys({ dataDir: dir });
  const authority = await openAuthority({ dataDir: dir });
  try {
    const { repository } = authority;
    const at = new Date().toISOString();
    await repository.addToken({ hash: 'pipe', createdAt: at, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const kioskId = randomUUID();
    await repository.registerKiosk('pipe', at, {
      id: kioskId, name: 'Kiosk', signingPublicKey: randomBytes(32).toString('base64url'), sealingPublicKey: randomBytes(32).toString('base64url'),
      registeredAt: at, revokedAt: null,
    });
    for (let i = 0; i < count; i++) {
      const envelope = randomBytes(16);
      const recordId = randomUUID();
      const digest = sha256Hex(envelope);
      const receipt = signReceipt({ recordId, digest, kioskId, receivedAt: at }, authority.keys.signing.privateKey);
      await authority.envelopes.put(digest, envelope);
      await repository.storeRecord({ recordId, kioskId, digest, size: 16, kind: 'person-enrollment', createdAt: at, receivedAt: at, number: null, receipt });
    }
  } finally {
    await authority.close();
  }
}

describe.skipIf(!BUILT)('gatehouse-authority writing into a closed pipe', () => {
  it('exits quietly with status 0 when the reader of `records --json` closes after one line', async () => {
    await authorityWithRecords(1500);
    const child = spawn(process.execPath, [BIN, '--data', dir, 'records', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (data: Buffer) => (err += data.toString()));
    let firstLine = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (data: Buffer) => {
        firstLine += data.toString();
        if (firstLine.includes('\n')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(firstLine.split('\n')[0]).toBe('{');
    expect({ code, err }).toEqual({ code: 0, err: '' });
  });
});
