// `gatehouse serve --no-browser --port 0`: exactly one line `ready <url>` whose url is all
// a page needs to connect, serving until SIGTERM, then a clean exit.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RpcResult } from '../../../../main/rpc/define.js';
import { builtCli, finished, runCli, startCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        stream.off('data', onData);
        resolve(text.slice(0, end + 1));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a line: ${JSON.stringify(text)}`)));
  });
}

function systemInfo(url: URL, secret: string): Promise<RpcResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${url.host}/rpc?secret=${encodeURIComponent(secret)}`, { origin: url.origin });
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ t: 'call', id: 1, method: 'system.info', input: {} })));
    socket.once('message', (data) => {
      socket.close();
      resolve((JSON.parse(data.toString()) as { result: RpcResult }).result);
    });
  });
}

describe('gatehouse serve', () => {
  it('prints one ready line with a working url and exits 0 on SIGTERM', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const child = startCli(['serve', '--no-browser', '--port', '0', '--data', dir]);
    const done = finished(child);
    const line = await firstLine(child.stdout);
    const match = /^ready (http:\/\/127\.0\.0\.1:(\d+)\/#secret=([A-Za-z0-9_-]{43}))\n$/.exec(line);
    expect(match, line).not.toBeNull();
    const url = new URL(match![1]!);
    expect(Number(match![2])).toBeGreaterThan(0);

    const page = await fetch(url.origin);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${match![2]}`);
    expect(await systemInfo(url, match![3]!)).toMatchObject({ ok: true, output: { host: 'browser', firstRun: true } });

    child.kill('SIGTERM');
    const exit = await done;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stdout).toBe(line);
    expect(fs.existsSync(`${dir}/gatehouse.sqlite`)).toBe(true);
  });

  it('refuses a port that is not a port, with exit 2', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await runCli(['serve', '--no-browser', '--port', '70000', '--data', dir]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/--port must be a whole number from 0 to 65535/);
  });
});
