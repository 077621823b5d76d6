// PC/SC end to end: a private pcscd with the vpcd virtual reader, a virtual card served by
// VpcdCardEmulator, and PcscCardReaders on the `smartcard` package — presence events,
// SELECT and READ BINARY in short and extended length, T=0 answer completion, and the
// typed errors for a card pulled mid-exchange, a busy card, a missing card or reader and
// an exchange that never ends.

import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import { responseData, statusWord } from '../../../../native/transport/command-apdu.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { RecordingApduTransport } from '../../../../native/transport/recording-apdu-transport.js';
import { ReplayApduTransport } from '../../../../native/transport/replay-apdu-transport.js';
import { CONTACTLESS_ATR, ElementaryFileCard, T0_ATR, VPCD_MAX_DATA } from '../../../fixtures/native/pcsc/elementary-file-card.js';
import { mountNamespaceAvailable, usePrivatePcscd } from '../../../fixtures/pcscd.js';
import { until } from '../../../unit/native/transport/waiting.js';
import { fileContent, hex, nextEvent, toHex, usePcscRigs } from './pcsc-rig.js';

const pcscd = usePrivatePcscd();
const openRig = usePcscRigs(pcscd);

const SELECT_EMRTD = hex('00 a4 04 0c 07 a0 00 00 02 47 10 01');
const SELECT_EF_COM = hex('00 a4 02 0c 02 01 1e');
const readBinary = (offset: number, ne: number): Uint8Array => (ne <= 256
  ? Uint8Array.of(0x00, 0xb0, offset >> 8, offset & 0xff, ne & 0xff)
  : Uint8Array.of(0x00, 0xb0, offset >> 8, offset & 0xff, 0x00, (ne >> 8) & 0xff, ne & 0xff));

describe('the private pcscd', () => {
  it('serves once started and lists the vpcd reader, empty', async () => {
    const { readers, readerName } = await openRig();
    const listed = await readers.listReaders();
    expect(listed.find((reader) => reader.name === readerName)).toEqual({ name: readerName, cardPresent: false });
    expect(pcscd().readerNames).toEqual([readerName, readerName.replace(/ 00 00$/, ' 00 01')]);
    expect(pcscd().isolation).toBe(mountNamespaceAvailable() ? 'mount-namespace' : 'exclusive-lock');
  });
});

describe('card presence through pcscd', () => {
  it('reports the readers, then a card inserted with its ATR, then removed', async () => {
    const { readerName } = pcscd();
    const rig = await openRig();
    const added: string[] = [];
    const late = new PcscCardReaders();
    late.on('reader-added', (name) => added.push(name));
    try {
      await late.watch();
      expect(added).toEqual(pcscd().readerNames);
      const card = new ElementaryFileCard({ content: fileContent(10) });
      const atr = await rig.insert(card);
      expect(toHex(atr)).toBe(toHex(CONTACTLESS_ATR));
      expect(await rig.readers.listReaders()).toContainEqual({ name: readerName, cardPresent: true, atr: CONTACTLESS_ATR });
      await rig.remove();
      expect((await rig.readers.listReaders()).find((reader) => reader.name === readerName)?.cardPresent).toBe(false);
    } finally {
      await late.close();
    }
  });

  it('reports a card that is already there when watching starts', async () => {
    const rig = await openRig();
    await rig.insert(new ElementaryFileCard({ content: fileContent(10) }));
    const second = new PcscCardReaders();
    const inserted: Array<[string, string]> = [];
    second.on('card-inserted', (reader, atr) => inserted.push([reader, toHex(atr)]));
    try {
      await second.watch();
      expect(inserted).toEqual([[rig.readerName, toHex(CONTACTLESS_ATR)]]);
    } finally {
      await second.close();
    }
  });
});

describe('APDUs through pcscd and vpcd', () => {
  it('selects and reads a file in short and in extended length; T=1 from a contactless ATR', async () => {
    const content = fileContent(20_000);
    const card = new ElementaryFileCard({ content });
    const rig = await openRig();
    await rig.insert(card);
    const session = await rig.readers.connect(rig.readerName);
    expect(session.protocol).toBe('T=1');
    expect(toHex(session.atr)).toBe(toHex(CONTACTLESS_ATR));
    expect(statusWord(await session.transmit(SELECT_EMRTD))).toBe(0x9000);
    expect(statusWord(await session.transmit(SELECT_EF_COM))).toBe(0x9000);
    const short = await session.transmit(readBinary(0, 256));
    expect(toHex(short)).toBe(toHex(Uint8Array.of(...content.subarray(0, 256), 0x90, 0x00)));
    // One extended READ BINARY brings the whole file (Lc-less case 2E, 3-byte Le).
    const whole = await session.transmit(readBinary(0, content.length));
    expect(statusWord(whole)).toBe(0x9000);
    expect(toHex(responseData(whole))).toBe(toHex(content));
    expect(toHex(card.received.at(-1) as Uint8Array)).toBe('00b00000004e20');
    // Extended Lc goes through too: 1000 data bytes arrive whole (the card knows no UPDATE BINARY).
    const update = Uint8Array.of(0x00, 0xd6, 0x00, 0x00, 0x00, 0x03, 0xe8, ...fileContent(1_000));
    expect(statusWord(await session.transmit(update))).toBe(0x6d00);
    expect(toHex(card.received.at(-1) as Uint8Array)).toBe(toHex(update));
    await session.disconnect();
    // pcscd has reset the card; the emulator hands the card that event on the JS thread, a moment later.
    await until(() => card.powerEvents.includes('reset'));
  });

  it('carries responses up to vpcd\'s 65535-byte frame: 65533 data bytes for Le = 00 00 00', async () => {
    const content = fileContent(70_000);
    const rig = await openRig();
    await rig.insert(new ElementaryFileCard({ content }));
    const session = await rig.readers.connect(rig.readerName);
    await session.transmit(SELECT_EMRTD);
    await session.transmit(SELECT_EF_COM);
    const most = await session.transmit(hex('00 b0 00 00 00 00 00'));
    expect(responseData(most)).toHaveLength(VPCD_MAX_DATA);
    expect(statusWord(most)).toBe(0x6282);
    expect(toHex(responseData(most))).toBe(toHex(content.subarray(0, VPCD_MAX_DATA)));
  });

  it('reads in short chunks from a card without extended length (67 00 to an extended Le)', async () => {
    const content = fileContent(1_000);
    const rig = await openRig();
    await rig.insert(new ElementaryFileCard({ content, shortLengthOnly: true }));
    const session = await rig.readers.connect(rig.readerName);
    await session.transmit(SELECT_EMRTD);
    await session.transmit(SELECT_EF_COM);
    expect(statusWord(await session.transmit(readBinary(0, 1_000)))).toBe(0x6700);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < content.length; offset += 0xe7) {
      const response = await session.transmit(readBinary(offset, Math.min(0xe7, content.length - offset)));
      expect(statusWord(response)).toBe(0x9000);
      chunks.push(responseData(response));
    }
    expect(toHex(Buffer.concat(chunks))).toBe(toHex(content));
  });

  it('completes T=0 answers: GET RESPONSE after 61xx, the exact Le after 6Cxx', async () => {
    const card = new ElementaryFileCard({ content: fileContent(10), atr: T0_ATR, t0: true });
    const rig = await openRig();
    await rig.insert(card);
    const session = await rig.readers.connect(rig.readerName);
    expect(session.protocol).toBe('T=0');
    const fci = await session.transmit(hex('00 a4 04 00 07 a0 00 00 02 47 10 01 00'));
    expect(toHex(fci)).toBe('6f098407a00000024710019000');
    await session.transmit(SELECT_EF_COM);
    const read = await session.transmit(readBinary(0, 256));
    expect(toHex(read)).toBe(`${toHex(fileContent(10))}9000`);
    expect(card.received.map(toHex)).toEqual([
      '00a4040007a000000247100100', '00c000000b', '00a4020c02011e', '00b0000000', '00b000000a',
    ]);
  });

  it('records a session as an APDU trace that replays', async () => {
    const rig = await openRig();
    await rig.insert(new ElementaryFileCard({ content: fileContent(300) }));
    const recorder = new RecordingApduTransport(await rig.readers.connect(rig.readerName));
    for (const command of [SELECT_EMRTD, SELECT_EF_COM, readBinary(0, 300), readBinary(256, 44)]) {
      await recorder.transmit(command);
    }
    const replay = new ReplayApduTransport(recorder.trace, 'recorded');
    expect(toHex(await replay.transmit(SELECT_EMRTD))).toBe('9000');
    expect(toHex(await replay.transmit(SELECT_EF_COM))).toBe('9000');
    expect(toHex(await replay.transmit(readBinary(0, 300)))).toBe(`${toHex(fileContent(300))}9000`);
    expect(() => replay.assertConsumed()).toThrow(/line 7/);
  });
});

describe('PC/SC failures as typed errors', () => {
  it('a card pulled during an exchange fails it with PCSC_CARD_REMOVED; the session stays failed', async () => {
    const card = new ElementaryFileCard({ content: fileContent(10) });
    const rig = await openRig();
    await rig.insert(card);
    const session = await rig.readers.connect(rig.readerName);
    await session.transmit(SELECT_EMRTD);
    card.holdNextAnswer();
    const pending = session.transmit(SELECT_EF_COM);
    await until(() => card.received.length === 2);
    const removed = nextEvent(rig.readers, 'card-removed', rig.readerName);
    await rig.emulator.remove();
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({
      code: 'PCSC_CARD_REMOVED',
      message: expect.stringContaining(`reader "${rig.readerName}" was removed or lost contact`),
    });
    await expect(session.transmit(SELECT_EMRTD)).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
    await removed;
    await session.disconnect();
  });

  it('refuses a second exclusive session with PCSC_SHARING_VIOLATION; shared sessions coexist', async () => {
    const rig = await openRig();
    await rig.insert(new ElementaryFileCard({ content: fileContent(10) }));
    const first = await rig.readers.connect(rig.readerName);
    await expect(rig.readers.connect(rig.readerName)).rejects.toMatchObject({
      code: 'PCSC_SHARING_VIOLATION', message: expect.stringContaining('Another program is using'),
    });
    await first.disconnect();
    const shared = await rig.readers.connect(rig.readerName, { share: 'shared' });
    const alongside = await rig.readers.connect(rig.readerName, { share: 'shared' });
    expect(statusWord(await alongside.transmit(SELECT_EMRTD))).toBe(0x9000);
    await Promise.all([shared.disconnect('leave'), alongside.disconnect('leave')]);
  });

  it('tells an empty reader (PCSC_NO_CARD) from a missing one (PCSC_NO_READER)', async () => {
    const rig = await openRig();
    await expect(rig.readers.connect(rig.readerName)).rejects.toMatchObject({
      code: 'PCSC_NO_CARD', details: { reader: rig.readerName },
    });
    await expect(rig.readers.connect('ACS ACR1252 1S CL Reader 00 00')).rejects.toMatchObject({
      code: 'PCSC_NO_READER', message: expect.stringMatching(/"ACS ACR1252 1S CL Reader 00 00".*USB cable/),
    });
  });

  it('gives up on an exchange that gets no answer with PCSC_TIMEOUT, and disconnects once it returns', async () => {
    const card = new ElementaryFileCard({ content: fileContent(10) });
    const rig = await openRig({ transmitTimeoutMs: 300 });
    await rig.insert(card);
    const session = await rig.readers.connect(rig.readerName);
    const release = card.holdNextAnswer();
    await expect(session.transmit(SELECT_EMRTD)).rejects.toMatchObject({ code: 'PCSC_TIMEOUT' });
    await expect(session.transmit(SELECT_EMRTD)).rejects.toMatchObject({ code: 'PCSC_TIMEOUT' });
    const disconnected = session.disconnect();
    release();
    await disconnected;
  });
});
