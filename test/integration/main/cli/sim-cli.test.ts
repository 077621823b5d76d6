// `gatehouse sim idreader|fingerprint`: each simulator prints `ready PATH`, the real
// driver reads from PATH, and SIGTERM ends it cleanly and removes the pty.

import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { R30xDriver } from '../../../../native/fingerprint/r30x-driver.js';
import { SamReader } from '../../../../native/idreader/cnid/sam-reader.js';
import { createMrzFrameDecoder, parseMrzFraming } from '../../../../native/idreader/mrz-reader/framings.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { SerialTransport } from '../../../../native/transport/serial-transport.js';
import { finished, startCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `gatehouse sim …` and resolves with the path from its `ready PATH` line. */
async function startSim(args: string[]) {
  const child = startCli(['sim', ...args]);
  const done = finished(child);
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { path: /^ready (\S+)$/.exec(line)?.[1], child, done };
}

function link(name: string): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return path.join(dir, name);
}

describe('gatehouse sim', () => {
  it('runs an MRZ reader whose reads the driver parses, until SIGTERM', async () => {
    const at = link('mrz');
    const sim = await startSim(['idreader', '--kind', 'mrz', '--link', at, '--scenario', 'repeat:1']);
    expect(sim.path).toBe(at);
    const transport = new SerialTransport({ path: at, baudRate: 9600 });
    await transport.open();
    const decoder = createMrzFrameDecoder(parseMrzFraming({ framing: 'lines' }));
    const lines = await new Promise<string[]>((resolve) => {
      transport.on('data', (chunk) => {
        const read = decoder.push(chunk).find((event) => event.type === 'read');
        if (read?.type === 'read') resolve(read.lines);
      });
    });
    await transport.close();
    expect(parseMrz(lines).fields.documentNumber).toBe('L898902C3');
    sim.child.kill('SIGTERM');
    expect((await sim.done).code).toBe(0);
    expect(fs.existsSync(at)).toBe(false);
  });

  it('runs a CN resident-ID reader that answers the SAM protocol', async () => {
    const at = link('cnid');
    const sim = await startSim(['idreader', '--kind', 'cnid', '--link', at]);
    const transport = new SerialTransport({ path: at, baudRate: 115_200 });
    await transport.open();
    const reader = new SamReader(transport);
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    const card = await reader.readCard();
    expect(card.valid).toBe(true);
    reader.dispose();
    await transport.close();
    sim.child.kill('SIGTERM');
    expect((await sim.done).code).toBe(0);
  });

  it('runs a fingerprint module with a finger kept on the sensor', async () => {
    const at = link('fp');
    const sim = await startSim(['fingerprint', '--link', at, '--baud', '115200', '--auto-finger', '42']);
    const transport = new SerialTransport({ path: at, baudRate: 115_200 });
    await transport.open();
    const driver = new R30xDriver(transport);
    await driver.connect();
    await driver.genImg();
    await driver.img2Tz(1);
    await transport.close();
    sim.child.kill('SIGTERM');
    expect((await sim.done).code).toBe(0);
    expect(fs.existsSync(at)).toBe(false);
  });

  it('refuses an unknown reader kind with exit 2', async () => {
    const run = await finished(startCli(['sim', 'idreader', '--kind', 'barcode', '--link', link('x')]));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--kind must be mrz or cnid');
  });
});
