// `gatehouse sim chip`: a private pcscd with a virtual passport in its vpcd reader, announced
// as `PCSCLITE_CSOCK_NAME=SOCKET` then `ready READER`. The chip reader driver in this process,
// pointed at that socket, reads the passport and verifies it against the CSCA written by
// --csca-out, which `gatehouse trust import` takes; SIGTERM takes the card and pcscd away.
// This file's PC/SC client talks to that one pcscd only (libpcsclite reads the socket once).

import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { chipReaderFamily } from '../../../../native/emrtd/chip-reader-family.js';
import { CscaTrustStore, parseCertificateFile } from '../../../../native/emrtd/csca-trust.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { sampleMrzLines } from '../../../../native/sim/sample-holder.js';
import { cleanEnv, finished, runCli, startCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const now = (): Date => new Date();

describe('gatehouse sim chip', () => {
  it('serves a valid passport on a private pcscd that a driver in another process reads and verifies', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const pem = path.join(dir, 'test-csca.pem');
    const child = startCli(['sim', 'chip', '--csca-out', pem]);
    const done = finished(child);
    const lines: string[] = [];
    const lineReader = createInterface({ input: child.stdout });
    await new Promise<void>((resolve) => {
      lineReader.on('line', (line) => {
        lines.push(line);
        if (line.startsWith('ready ')) resolve();
      });
    });
    const socket = /^PCSCLITE_CSOCK_NAME=(\S+)$/.exec(lines[0] ?? '')?.[1];
    const reader = /^ready (.+)$/.exec(lines[1] ?? '')?.[1];
    expect({ socket, reader, lines: lines.length }).toEqual({ socket: expect.stringMatching(/pcscd\.comm$/), reader: expect.stringMatching(/ 00 00$/), lines: 2 });
    process.env.PCSCLITE_CSOCK_NAME = socket;

    const driver = chipReaderFamily.open({ kind: 'pcsc', reader: reader!, extendedLength: true }, { now });
    try {
      await driver.start();
      expect(driver.status).toMatchObject({ state: 'ready', reader, cardPresent: true });
      const trustStore = new CscaTrustStore();
      for (const der of parseCertificateFile(fs.readFileSync(pem))) trustStore.add(der, 'gatehouse sim chip');
      const { documentNumber, birthDate, expiryDate } = parseMrz(sampleMrzLines('passport', now())).fields;
      const reading = await driver.read({ kind: 'mrz', documentNumber, birthDate, expiryDate }, { trustStore, now });
      expect(reading.passiveAuthentication).toMatchObject({ status: 'valid', csca: { country: 'UT' } });
    } finally {
      await driver.stop();
    }

    const imported = await runCli(['trust', 'import', pem], cleanEnv({ GATEHOUSE_DATA: dir }));
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('1 added') });

    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(fs.existsSync(socket!)).toBe(false);
  });

  it('refuses an unknown scenario with exit 2, naming the scenarios there are', async () => {
    const run = await runCli(['sim', 'chip', '--scenario', 'forged']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown chip simulator scenario "forged"; use one of: valid, altered-dg1, .*removed-mid-read/);
  });
});
