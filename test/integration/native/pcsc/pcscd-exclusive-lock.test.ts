// The pcscd fixture's fallback where mount namespaces are refused: pcscd on the standard
// socket, test files taking turns through a lock directory (a dead owner's lock is taken
// over, a live owner's is waited for). Skipped where another pcscd owns the standard
// socket, which the fixture would refuse to disturb.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VpcdCardEmulator } from '../../../../native/sim/vpcd-card.js';
import { statusWord } from '../../../../native/transport/command-apdu.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { ElementaryFileCard } from '../../../fixtures/native/pcsc/elementary-file-card.js';
import { startPrivatePcscd } from '../../../fixtures/pcscd.js';
import { fileContent, hex, nextEvent } from './pcsc-rig.js';

const SYSTEM_SOCKET = '/run/pcscd/pcscd.comm';
const LOCK_DIR = join(tmpdir(), 'gatehouse-pcscd.lock');

const systemSocketServed = await new Promise<boolean>((resolve) => {
  if (!existsSync(SYSTEM_SOCKET)) return resolve(false);
  const probe = connect(SYSTEM_SOCKET);
  probe.once('connect', () => { probe.destroy(); resolve(true); });
  probe.once('error', () => resolve(false));
});

describe.skipIf(systemSocketServed)('the pcscd fixture without namespaces (exclusive-lock)', () => {
  it('serves the vpcd reader on the standard socket while holding the lock, and cleans up', async () => {
    const pcscd = await startPrivatePcscd({ isolation: 'exclusive-lock' });
    const readers = new PcscCardReaders();
    const emulator = new VpcdCardEmulator({ port: pcscd.vpcdPort });
    try {
      expect(pcscd.socketPath).toBe(SYSTEM_SOCKET);
      expect(process.env.PCSCLITE_CSOCK_NAME).toBe(SYSTEM_SOCKET);
      expect(await readFile(join(LOCK_DIR, 'owner'), 'utf8')).toBe(String(process.pid));
      await readers.watch();
      const inserted = nextEvent(readers, 'card-inserted', pcscd.readerName);
      await emulator.insert(new ElementaryFileCard({ content: fileContent(10) }));
      await inserted;
      const session = await readers.connect(pcscd.readerName);
      expect(statusWord(await session.transmit(hex('00 a4 04 0c 07 a0 00 00 02 47 10 01')))).toBe(0x9000);
    } finally {
      await readers.close();
      await emulator.remove();
      await pcscd.stop();
    }
    expect(existsSync(LOCK_DIR)).toBe(false);
    expect(existsSync(SYSTEM_SOCKET)).toBe(false);
  });

  it('takes over the lock of a test process that died, and waits for one that lives', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await mkdir(LOCK_DIR);
    await writeFile(join(LOCK_DIR, 'owner'), String(gone.pid));
    await (await startPrivatePcscd({ isolation: 'exclusive-lock' })).stop();

    const owner = spawn('sleep', ['600']);
    await mkdir(LOCK_DIR);
    await writeFile(join(LOCK_DIR, 'owner'), String(owner.pid));
    let started = false;
    const starting = startPrivatePcscd({ isolation: 'exclusive-lock' }).then((pcscd) => {
      started = true;
      return pcscd;
    });
    try {
      // The waiting start polls the lock every 100 ms; several rounds pass while the owner lives.
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(started).toBe(false);
    } finally {
      owner.kill();
    }
    await (await starting).stop();
    expect(existsSync(LOCK_DIR)).toBe(false);
  });
});
