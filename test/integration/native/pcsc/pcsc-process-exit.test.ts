// close() really lets go: a plain Node process that watched the readers, held a card
// session and served a vpcd card exits by itself once it has closed them — nothing
// (a PC/SC wait on a worker thread, a socket, a timer) keeps it alive. The scenario is
// compiled with the project's compiler options, as `npm run build` would.

import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileEntry, projectRoot as root } from '../../../fixtures/compile-entry.js';
import { usePrivatePcscd } from '../../../fixtures/pcscd.js';

let scenario: string;
/** How long the scenario may linger after "closed" before it counts as held open. */
const EXIT_GRACE_MS = 15_000;

const pcscd = usePrivatePcscd();

beforeAll(async () => {
  scenario = await compileEntry('test/integration/native/pcsc/exit-scenario.ts', 'pcsc-exit-build');
}, 120_000);

describe('PcscCardReaders.close', () => {
  it('leaves nothing that keeps the process alive', async () => {
    const { socketPath, readerName, vpcdPort } = pcscd();
    const child = spawn(process.execPath, [scenario], {
      cwd: root,
      env: { ...process.env, PCSCLITE_CSOCK_NAME: socketPath, GATEHOUSE_TEST_READER: readerName, GATEHOUSE_TEST_VPCD_PORT: String(vpcdPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let held: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // Past this point only open handles can keep it running.
      if (stdout.includes('closed\n')) held ??= setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    clearTimeout(held);
    expect({ code, signal, stdout, stderr }).toEqual({ code: 0, signal: null, stdout: 'select 9000\nclosed\n', stderr: '' });
  });
});
