// pcscd stopping under a kiosk: watchers, open sessions and new calls all get
// PCSC_NOT_RUNNING, the readers and the card are reported gone, the card emulator hears
// that vpcd went away, and watching again works once pcscd is back. Its own file: it
// stops this process's private pcscd.

import { describe, expect, it } from 'vitest';
import { VpcdCardEmulator } from '../../../../native/sim/vpcd-card.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { ElementaryFileCard } from '../../../fixtures/native/pcsc/elementary-file-card.js';
import { startPrivatePcscd, type PrivatePcscd } from '../../../fixtures/pcscd.js';
import { fileContent, hex, nextEvent } from './pcsc-rig.js';

const SELECT_EMRTD = hex('00 a4 04 0c 07 a0 00 00 02 47 10 01');

describe('when pcscd goes away', () => {
  it('reports PCSC_NOT_RUNNING everywhere, the readers gone, and recovers when it is back', async () => {
    let pcscd: PrivatePcscd = await startPrivatePcscd();
    const readers = new PcscCardReaders();
    const emulator = new VpcdCardEmulator({ port: pcscd.vpcdPort });
    try {
      const { readerName } = pcscd;
      const events: string[] = [];
      readers.on('card-removed', (reader) => events.push(`card-removed ${reader}`));
      readers.on('reader-removed', (reader) => events.push(`reader-removed ${reader}`));
      const lost = new Promise<Error>((resolve) => readers.once('error', resolve));
      await readers.watch();
      const inserted = nextEvent(readers, 'card-inserted', readerName);
      await emulator.insert(new ElementaryFileCard({ content: fileContent(10) }));
      await inserted;
      const session = await readers.connect(readerName);
      const cardOut = new Promise<string>((resolve) => emulator.once('disconnected', resolve));

      await pcscd.stop();
      expect(await lost).toMatchObject({ code: 'PCSC_NOT_RUNNING', message: expect.stringContaining('systemctl status pcscd') });
      expect(readers.watching).toBe(false);
      expect(events).toEqual([`card-removed ${readerName}`, ...pcscd.readerNames.map((name) => `reader-removed ${name}`)]);
      expect(await cardOut).toBe('vpcd closed the connection');
      expect(emulator.inserted).toBe(false);
      await expect(session.transmit(SELECT_EMRTD)).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
      await expect(readers.listReaders()).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
      await expect(readers.watch()).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
      await session.disconnect();

      pcscd = await startPrivatePcscd();
      const added: string[] = [];
      readers.on('reader-added', (reader) => added.push(reader));
      await readers.watch();
      expect(added).toEqual(pcscd.readerNames);
      expect((await readers.listReaders()).map((reader) => reader.name)).toEqual(pcscd.readerNames);
    } finally {
      await readers.close();
      await emulator.remove();
      await pcscd.stop();
    }
  });
});
