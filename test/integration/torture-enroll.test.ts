// `gatehouse enroll --synthetic` acknowledges each record on stdout as soon as it is committed,
// so the torture loop (and anyone who kills a load run) knows which records exist: the first
// line arrives while the run is still sealing, and a record acknowledged before a SIGKILL is in
// the outbox afterwards with the digest it was acknowledged with.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgedRecords } from '../../torture/invariants.js';
import { startHarness, type Harness } from './authority/authority-harness.js';
import { finished, runCli, startCli, tempDataDir } from './main/cli/run-cli.js';

let h: Harness;
let dataDir: string;
beforeAll(async () => {
  h = await startHarness();
  h.advance((Date.now() - h.now().getTime()) / 1000);
  dataDir = tempDataDir();
  const provisioned = await runCli(['--data', dataDir, 'provision', '--authority', h.url, '--token', await h.token(), '--json']);
  expect(provisioned.code, provisioned.stderr).toBe(0);
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await h.close();
});

describe('gatehouse enroll --synthetic acknowledgements', () => {
  it('acknowledges the first record while it is still sealing the others, and a kill keeps what was acknowledged', async () => {
    const child = startCli(['--data', dataDir, 'enroll', '--synthetic', '20']);
    const ended = finished(child);
    const first = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer | string) => {
        seen += chunk.toString();
        const line = seen.split('\n').find((l) => l.startsWith('sealed ') && !l.startsWith('sealed and queued'));
        if (line) resolve(line);
      });
      void ended.then((run) => reject(new Error(`enroll ended before acknowledging a record: ${run.stdout} ${run.stderr}`)));
    });
    expect(child.exitCode, 'enroll had already finished when its first acknowledgement arrived').toBeNull();
    child.kill('SIGKILL');
    const run = await ended;
    expect(run.signal).toBe('SIGKILL');
    const acknowledged = acknowledgedRecords(run.stdout);
    expect(acknowledged.length).toBeGreaterThanOrEqual(1);
    expect(acknowledged.length).toBeLessThan(20);
    expect(first).toMatch(/^sealed \S+ - \d+ [0-9a-f]{64}$/);

    const queue = JSON.parse((await runCli(['--data', dataDir, 'queue', '--json'])).stdout) as { records: Array<{ recordId: string; digest: string }> };
    const outbox = new Map(queue.records.map((r) => [r.recordId, r.digest]));
    for (const { recordId, digest } of acknowledged) expect(outbox.get(recordId)).toBe(digest);
    // At most the record in flight was committed without its line.
    expect(queue.records.length - acknowledged.length).toBeLessThanOrEqual(1);
    expect(JSON.parse((await runCli(['--data', dataDir, 'audit', 'verify', '--json'])).stdout)).toMatchObject({ ok: true });
  });

  it('prints one line per record, then the summary; --json prints the summary alone', async () => {
    const text = await runCli(['--data', dataDir, 'enroll', '--synthetic', '3', '--small']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(acknowledgedRecords(text.stdout)).toHaveLength(3);
    expect(lines[3]).toMatch(/^sealed and queued 3 synthetic records \(\d+ bytes\)$/);
    const json = await runCli(['--data', dataDir, 'enroll', '--synthetic', '2', '--small', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ queued: 2 });
  });
});
