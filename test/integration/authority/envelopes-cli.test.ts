// `gatehouse-authority --envelopes … envelopes verify|orphans|copy`, run in-process beside a running
// authority whose envelopes are in a directory: verify reads every record's envelope (exit 1 and
// the record named when one is missing, as when the wrong store is given), orphans lists the
// envelopes no record names, GATEHOUSE_AUTHORITY_ENVELOPES stands in for the option, copy moves
// them into another store (once), and a store that is no store is refused.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../authority/cli/main.js';
import { apiPaths } from '../../../protocol/api.js';
import { startHarness, type Harness } from './authority-harness.js';

let scratch: string;
let h: Harness;
let files: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gatehouse-envelopes-cli-'));
  files = `file:${join(scratch, 'envelopes')}`;
  h = await startHarness({ envelopes: files });
});
afterAll(async () => {
  await h.close();
  await rm(scratch, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'gatehouse-authority', '--data', h.dataDir, ...args], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    untilStopped: () => Promise.reject(new Error('only serve waits to be stopped')),
  });
  return { code, out, err };
}

describe('gatehouse-authority envelopes', () => {
  it('verifies the store given, lists orphans, and names the records whose envelope is not there', async () => {
    const kiosk = await h.kiosk();
    const sealed = kiosk.seal();
    expect((await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes)).status).toBe(201);

    const verified = await cli('--envelopes', files, 'envelopes', 'verify', '--json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.out)).toEqual({ store: files, checked: 1, problems: [] });

    const orphan = randomBytes(50);
    const orphanDigest = createHash('sha256').update(orphan).digest('hex');
    await h.authority.envelopes.put(orphanDigest, orphan);
    process.env.GATEHOUSE_AUTHORITY_ENVELOPES = files;
    try {
      expect(await cli('envelopes', 'orphans')).toMatchObject({ code: 0, out: `${orphanDigest}\n1 envelopes in ${files} named by no record\n` });
    } finally {
      delete process.env.GATEHOUSE_AUTHORITY_ENVELOPES;
    }

    const wrongStore = await cli('envelopes', 'verify');
    expect(wrongStore.code).toBe(1);
    expect(wrongStore.out).toBe(`ENVELOPE_MISSING  ${kiosk.keys.id}  ${sealed.recordId}  ${sealed.digest}\n1 envelopes checked in db; 1 missing or damaged\n`);

    expect(await cli('--envelopes', files, 'envelopes', 'copy', '--to', 'db')).toMatchObject({
      code: 0, out: `2 envelopes copied from ${files} to db; 0 were there already\n`,
    });
    expect(JSON.parse((await cli('--envelopes', files, 'envelopes', 'copy', '--to', 'db', '--json')).out)).toEqual({ from: files, to: 'db', copied: 0, present: 2 });
    expect(await cli('envelopes', 'verify')).toMatchObject({ code: 0, out: '1 envelopes checked in db; 0 missing or damaged\n' });
  });

  it('refuses a store that is none of db, file:DIR and s3://bucket/prefix', async () => {
    expect(await cli('--envelopes', 'ftp://somewhere', 'envelopes', 'verify')).toMatchObject({
      code: 2, err: expect.stringContaining('(ENVELOPE_STORE_INVALID)'),
    });
  });
});
