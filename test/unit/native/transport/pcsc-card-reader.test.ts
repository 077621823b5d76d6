import { afterEach, describe, expect, it } from 'vitest';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { FakePcsc, type FakeCardScript } from './fake-pcsc.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
const ATR = bytes('3b 80 80 01 01');
const READER = 'ACS ACR1252 1S CL Reader PICC 00 00';
const OTHER = 'Gemalto PC Twin Reader 00 00';
const SELECT = bytes('00 a4 04 0c 07 a0 00 00 02 47 10 01');

const opened: PcscCardReaders[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((readers) => readers.close()));
});

function readersOn(fake: FakePcsc, options: { transmitTimeoutMs?: number } = {}): { readers: PcscCardReaders; events: string[] } {
  const readers = new PcscCardReaders({ pcsc: fake, ...options });
  opened.push(readers);
  const events: string[] = [];
  readers.on('reader-added', (name) => events.push(`reader-added ${name}`));
  readers.on('reader-removed', (name) => events.push(`reader-removed ${name}`));
  readers.on('card-inserted', (name, atr) => events.push(`card-inserted ${name} ${hex(atr)}`));
  readers.on('card-removed', (name) => events.push(`card-removed ${name}`));
  readers.on('error', (error) => events.push(`error ${(error as { code?: string }).code}`));
  return { readers, events };
}

/** Lets the watch loop take in what the fake just did (it answers on later turns). */
async function settled(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

const card = (script: Partial<FakeCardScript> = {}): FakeCardScript => ({ atr: ATR, ...script });

describe('PcscCardReaders presence', () => {
  it('reports what is there when watching starts, before watch() resolves', async () => {
    const fake = new FakePcsc([READER, OTHER]);
    fake.insert(READER, card());
    const { readers, events } = readersOn(fake);
    await readers.watch();
    expect(events).toEqual([`reader-added ${READER}`, `reader-added ${OTHER}`, `card-inserted ${READER} 3b80800101`]);
    expect(readers.watching).toBe(true);
    expect(await readers.listReaders()).toEqual([
      { name: READER, cardPresent: true, atr: ATR }, { name: OTHER, cardPresent: false },
    ]);
  });

  it('reports cards coming and going, and a card swapped between two looks as removed then inserted', async () => {
    const fake = new FakePcsc([READER]);
    const { readers, events } = readersOn(fake);
    await readers.watch();
    fake.insert(READER, card());
    await settled();
    fake.remove(READER);
    await settled();
    fake.insert(READER, card());
    await settled();
    fake.swap(READER, card({ atr: bytes('3b 02 14 50') }));
    await settled();
    expect(events.slice(1)).toEqual([
      `card-inserted ${READER} 3b80800101`, `card-removed ${READER}`, `card-inserted ${READER} 3b80800101`,
      `card-removed ${READER}`, `card-inserted ${READER} 3b021450`,
    ]);
  });

  it('reports readers plugged in and out, a card in a departing reader first', async () => {
    const fake = new FakePcsc([READER]);
    const { readers, events } = readersOn(fake);
    await readers.watch();
    fake.addReader(OTHER);
    await settled();
    fake.insert(OTHER, card());
    await settled();
    fake.removeReader(OTHER);
    await settled();
    expect(events).toEqual([
      `reader-added ${READER}`, `reader-added ${OTHER}`, `card-inserted ${OTHER} 3b80800101`,
      `card-removed ${OTHER}`, `reader-removed ${OTHER}`,
    ]);
  });

  it('resolves watch() at once with no reader, and reports the first one plugged in', async () => {
    const fake = new FakePcsc();
    const { readers, events } = readersOn(fake);
    await readers.watch();
    expect(events).toEqual([]);
    fake.addReader(READER);
    await settled();
    expect(events).toEqual([`reader-added ${READER}`]);
  });

  it('reports a mute card as an error, not as a card', async () => {
    const fake = new FakePcsc([READER]);
    const { readers, events } = readersOn(fake);
    const errors: Error[] = [];
    readers.on('error', (error) => errors.push(error));
    await readers.watch();
    fake.insert(READER, card({ mute: true }));
    await settled();
    expect(events.slice(1)).toEqual(['error PCSC_CARD_MUTE']);
    expect(errors[0]?.message).toMatch(new RegExp(`reader "${READER}" does not answer.*chip side`));
    expect(await readers.listReaders()).toEqual([{ name: READER, cardPresent: false }]);
  });

  it('reports pcscd going away once, with everything it knew removed, and watches again when asked', async () => {
    const fake = new FakePcsc([READER]);
    fake.insert(READER, card());
    const { readers, events } = readersOn(fake);
    await readers.watch();
    fake.stop();
    await settled();
    expect(events.slice(2)).toEqual([`card-removed ${READER}`, `reader-removed ${READER}`, 'error PCSC_NOT_RUNNING']);
    expect(readers.watching).toBe(false);
    expect(fake.openContexts.size).toBe(0);
    await expect(readers.watch()).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
    fake.running = true;
    await readers.watch();
    expect(events.slice(5)).toEqual([`reader-added ${READER}`, `card-inserted ${READER} 3b80800101`]);
  });

  it('explains a missing pcscd', async () => {
    const fake = new FakePcsc([READER]);
    fake.running = false;
    const { readers } = readersOn(fake);
    await expect(readers.watch()).rejects.toMatchObject({
      code: 'PCSC_NOT_RUNNING', message: expect.stringContaining('systemctl status pcscd.socket pcscd'),
    });
    await expect(readers.listReaders()).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
    await expect(readers.connect(READER)).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING', details: { reader: READER } });
  });
});

describe('PcscCardReaders.connect', () => {
  it('opens an exclusive session with the ATR and protocol, and refuses a second one', async () => {
    const fake = new FakePcsc([READER]);
    fake.insert(READER, card({ protocol: 'T=0' }));
    const { readers } = readersOn(fake);
    const session = await readers.connect(READER);
    expect({ reader: session.reader, atr: hex(session.atr), protocol: session.protocol, description: session.description })
      .toEqual({ reader: READER, atr: '3b80800101', protocol: 'T=0', description: `PC/SC reader "${READER}"` });
    await expect(readers.connect(READER)).rejects.toMatchObject({
      code: 'PCSC_SHARING_VIOLATION', details: { reader: READER, cause: 'Sharing violation' },
    });
    await session.disconnect();
    await (await readers.connect(READER, { share: 'shared' })).disconnect();
  });

  it('tells a missing reader, an empty one, a mute card and an unusable one apart', async () => {
    const fake = new FakePcsc([READER, OTHER]);
    const { readers } = readersOn(fake);
    await expect(readers.connect('SCM SCR3310 00 00')).rejects.toMatchObject({ code: 'PCSC_NO_READER' });
    await expect(readers.connect(READER)).rejects.toMatchObject({ code: 'PCSC_NO_CARD', message: expect.stringContaining('Place the document') });
    fake.insert(READER, card({ connectError: 'Card is unresponsive' }));
    await expect(readers.connect(READER)).rejects.toMatchObject({ code: 'PCSC_CARD_MUTE' });
    fake.insert(OTHER, card({ connectError: 'Protocol mismatch' }));
    await expect(readers.connect(OTHER)).rejects.toMatchObject({ code: 'PCSC_CARD_UNSUPPORTED' });
    fake.insert(OTHER, card({ connectError: 'Card was removed' }));
    await expect(readers.connect(OTHER)).rejects.toMatchObject({ code: 'PCSC_NO_CARD' });
    expect([...fake.openContexts]).toHaveLength(0);
  });
});

describe('PcscCardSession', () => {
  async function sessionWith(script: Partial<FakeCardScript>, options: { transmitTimeoutMs?: number } = {}) {
    const fake = new FakePcsc([READER]);
    fake.insert(READER, card(script));
    const { readers } = readersOn(fake, options);
    return { fake, readers, session: await readers.connect(READER) };
  }

  it('asks for room for a 65536-byte answer and completes 61xx with GET RESPONSE', async () => {
    const sizes: number[] = [];
    const { session, fake } = await sessionWith({
      transmit: (command, { maxRecvLength }) => {
        sizes.push(maxRecvLength);
        return command[1] === 0xc0 ? bytes('6f 02 84 00 90 00') : bytes('61 04');
      },
    });
    expect(hex(await session.transmit(bytes('00 a4 04 00 02 3f 00 00')))).toBe('6f0284009000');
    expect(sizes).toEqual([65_538, 65_538]);
    expect(fake.cardCalls).toEqual(['transmit 00a40400023f0000', 'transmit 00c0000004']);
  });

  it('runs exchanges one at a time, a GET RESPONSE chain never interleaved', async () => {
    let answerFirst!: () => void;
    const { session, fake } = await sessionWith({
      transmit: (command) => {
        if (command[1] === 0x84) return new Promise((resolve) => { answerFirst = () => resolve(bytes('6108')); });
        return command[1] === 0xc0 ? bytes('0102030405060708 9000') : bytes('9000');
      },
    });
    const challenge = session.transmit(bytes('00 84 00 00 08'));
    const select = session.transmit(SELECT);
    await settled();
    expect(fake.cardCalls).toEqual(['transmit 0084000008']);
    answerFirst();
    expect(hex(await challenge)).toBe('01020304050607089000');
    expect(hex(await select)).toBe('9000');
    expect(fake.cardCalls.slice(1)).toEqual(['transmit 00c0000008', `transmit ${hex(SELECT)}`]);
  });

  it('fails with PCSC_CARD_REMOVED for a pulled card, a lost exchange or an empty answer, and stays failed', async () => {
    for (const fault of ['Card was removed', 'Transaction failed', 'empty']) {
      const { session, fake } = await sessionWith({
        transmit: () => {
          if (fault === 'empty') return new Uint8Array(0);
          throw new Error(fault);
        },
      });
      await expect(session.transmit(SELECT), fault).rejects.toMatchObject({
        code: 'PCSC_CARD_REMOVED', message: expect.stringContaining('during an APDU exchange'),
      });
      await expect(session.transmit(SELECT)).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
      expect(fake.cardCalls.filter((call) => call.startsWith('transmit'))).toHaveLength(1);
      await session.disconnect();
      expect(fake.cardCalls.slice(-1)).toEqual(['disconnect 0']);
    }
  });

  it('tells pcscd gone from a card gone when the exchange is lost', async () => {
    const { session, fake } = await sessionWith({});
    fake.stop();
    await expect(session.transmit(SELECT)).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });
  });

  it('names a reset by another program, a driver timeout and a too-small buffer', async () => {
    for (const [message, code] of [['Card was reset', 'PCSC_CARD_RESET'], ['Operation timed out', 'PCSC_TIMEOUT'],
      ['Insufficient buffer', 'PCSC_RESPONSE_TOO_LONG'], ['Something new', 'PCSC_ERROR']] as const) {
      const { session } = await sessionWith({ transmit: () => { throw new Error(message); } });
      await expect(session.transmit(SELECT)).rejects.toMatchObject({ code, details: { cause: message, reader: READER } });
    }
  });

  it('gives up on an exchange after transmitTimeoutMs, then disconnects only once the call has returned', async () => {
    let answer!: () => void;
    const { session, fake } = await sessionWith({
      transmit: () => new Promise((resolve) => { answer = () => resolve(bytes('9000')); }),
    }, { transmitTimeoutMs: 10 });
    await expect(session.transmit(SELECT)).rejects.toMatchObject({ code: 'PCSC_TIMEOUT', message: expect.stringContaining('in time') });
    const disconnected = session.disconnect();
    await settled();
    expect(fake.cardCalls.filter((call) => call.startsWith('disconnect'))).toEqual([]);
    answer();
    await disconnected;
    expect(fake.cardCalls.slice(-1)).toEqual(['disconnect 0']);
  });

  it('resets the card through SCardReconnect on a worker thread, then leaves it; idempotent', async () => {
    const { session, fake, readers } = await sessionWith({});
    await session.disconnect();
    await session.disconnect();
    expect(fake.cardCalls).toEqual(['reconnect 1', 'disconnect 0']);
    await (await readers.connect(READER)).disconnect('unpower');
    await (await readers.connect(READER)).disconnect('leave');
    expect(fake.cardCalls.slice(2)).toEqual(['reconnect 2', 'disconnect 0', 'disconnect 0']);
    await expect(session.transmit(SELECT)).rejects.toMatchObject({ code: 'PCSC_SESSION_CLOSED' });
  });
});

describe('PcscCardReaders.close', () => {
  it('ends the watch loop even when a cancel is lost, disconnects sessions and releases every context', async () => {
    const fake = new FakePcsc([READER]);
    fake.insert(READER, card());
    const readers = new PcscCardReaders({ pcsc: fake });
    await readers.watch();
    await readers.listReaders();
    const session = await readers.connect(READER);
    await settled();
    fake.loseNextCancel = true;
    await readers.close();
    await readers.close();
    expect(readers.watching).toBe(false);
    expect(fake.openContexts.size).toBe(0);
    expect(fake.waits.size).toBe(0);
    expect(fake.cardCalls).toEqual(['reconnect 1', 'disconnect 0']);
    await expect(session.transmit(SELECT)).rejects.toMatchObject({ code: 'PCSC_SESSION_CLOSED' });
    await expect(readers.listReaders()).rejects.toMatchObject({ code: 'PCSC_CLOSED' });
    await expect(readers.watch()).rejects.toMatchObject({ code: 'PCSC_CLOSED' });
  });

  it('does not hand out a session that was still connecting when it closed', async () => {
    const fake = new FakePcsc([READER]);
    fake.insert(READER, card());
    const readers = new PcscCardReaders({ pcsc: fake });
    const connecting = readers.connect(READER);
    await readers.close();
    await expect(connecting).rejects.toMatchObject({ code: 'PCSC_CLOSED' });
    expect(fake.cardCalls).toEqual(['disconnect 0']);
    expect(fake.openContexts.size).toBe(0);
  });

});
