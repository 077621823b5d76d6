// The chip reader driver's view of the PC/SC readers, on a stand-in for the `smartcard`
// package: which reader it would read (the configured one, else the first with a card),
// documents coming and going, a mute chip, pcscd away at the start and going away later
// (the driver watches again by itself), and every handle released when it stops. Reading
// a chip through it is in the integration tests (test/integration/native/pcsc/chip-read).

import { afterEach, describe, expect, it } from 'vitest';
import { ChipReader, type ChipCardEvent, type ChipReaderSettings } from '../../../../native/emrtd/chip-reader-family.js';
import { CscaTrustStore } from '../../../../native/emrtd/csca-trust.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { FakePcsc } from '../transport/fake-pcsc.js';
import { until } from '../transport/waiting.js';

const ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);
const FIRST = 'ACS ACR1252 1S CL Reader PICC 00 00';
const SECOND = 'Identiv uTrust 3700 F CL Reader 00 00';
const KEY = { kind: 'can', can: '123456' } as const;

const drivers: ChipReader[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.stop()));
});

function driverOn(fake: FakePcsc, reader: string | null = null): { driver: ChipReader; cards: ChipCardEvent[] } {
  const settings: ChipReaderSettings = { kind: 'pcsc', reader, extendedLength: false };
  const driver = new ChipReader(new PcscCardReaders({ pcsc: fake }), settings);
  drivers.push(driver);
  const cards: ChipCardEvent[] = [];
  driver.on('card', (event) => cards.push(event));
  return { driver, cards };
}

describe('ChipReader status', () => {
  it('follows the first reader with a card, else the first listed, and reports documents with their ATR', async () => {
    const fake = new FakePcsc([FIRST, SECOND]);
    const { driver, cards } = driverOn(fake);
    expect(driver.status).toEqual({ state: 'starting', reader: null, cardPresent: false, atr: null, error: null });
    await driver.start();
    expect(driver.status).toEqual({ state: 'ready', reader: FIRST, cardPresent: false, atr: null, error: null });

    fake.insert(SECOND, { atr: ATR });
    await until(() => cards.length === 1);
    expect(cards).toEqual([{ present: true, reader: SECOND, atr: ATR }]);
    expect(driver.status).toEqual({ state: 'ready', reader: SECOND, cardPresent: true, atr: ATR, error: null });

    fake.remove(SECOND);
    await until(() => cards.length === 2);
    expect(cards[1]).toEqual({ present: false, reader: SECOND, atr: ATR });
    expect(driver.status).toEqual({ state: 'ready', reader: FIRST, cardPresent: false, atr: null, error: null });
  });

  it('keeps to the configured reader: cards elsewhere are not its business, and without it there is no reader', async () => {
    const fake = new FakePcsc([FIRST, SECOND]);
    const { driver, cards } = driverOn(fake, SECOND);
    const statuses: string[] = [];
    driver.on('status', (status) => statuses.push(`${status.state} ${status.reader}`));
    await driver.start();
    fake.insert(FIRST, { atr: ATR });
    fake.removeReader(SECOND);
    await until(() => driver.status.state === 'no-reader');
    expect(cards).toEqual([]);
    expect(statuses).toEqual([`starting ${SECOND}`, `ready ${SECOND}`, 'no-reader null']);
    await expect(driver.read(KEY, { trustStore: new CscaTrustStore() })).rejects.toMatchObject({
      code: 'CHIP_NO_CARD', message: expect.stringContaining(`"${SECOND}" is not connected`),
    });
  });

  it('refuses a read while the reader is empty', async () => {
    const { driver } = driverOn(new FakePcsc([FIRST]));
    await driver.start();
    await expect(driver.read(KEY, { trustStore: new CscaTrustStore() })).rejects.toMatchObject({
      code: 'CHIP_NO_CARD', details: { reader: FIRST },
    });
  });

  it('reports a mute chip as the status error until the next document', async () => {
    const fake = new FakePcsc([FIRST]);
    const { driver } = driverOn(fake);
    await driver.start();
    fake.insert(FIRST, { atr: ATR, mute: true });
    await until(() => driver.status.error !== null);
    expect(driver.status).toMatchObject({ state: 'ready', cardPresent: false, error: { code: 'PCSC_CARD_MUTE' } });
    fake.remove(FIRST);
    fake.insert(FIRST, { atr: ATR });
    await until(() => driver.status.cardPresent);
    expect(driver.status.error).toBeNull();
  });

  it('fails while pcscd is away, watches again by itself, and fails again when pcscd goes', async () => {
    const fake = new FakePcsc([FIRST]);
    fake.running = false;
    const { driver } = driverOn(fake);
    await driver.start();
    expect(driver.status).toMatchObject({ state: 'failed', reader: null, error: { code: 'PCSC_NOT_RUNNING' } });
    await expect(driver.read(KEY, { trustStore: new CscaTrustStore() })).rejects.toMatchObject({ code: 'PCSC_NOT_RUNNING' });

    fake.running = true;
    fake.insert(FIRST, { atr: ATR });
    await until(() => driver.status.state === 'ready');
    expect(driver.status).toEqual({ state: 'ready', reader: FIRST, cardPresent: true, atr: ATR, error: null });

    fake.stop();
    await until(() => driver.status.state === 'failed');
    expect(driver.status).toMatchObject({ reader: null, cardPresent: false, error: { code: 'PCSC_NOT_RUNNING' } });
  });

  it('releases every PC/SC context when it stops', async () => {
    const fake = new FakePcsc([FIRST]);
    const { driver } = driverOn(fake);
    await driver.start();
    expect(fake.openContexts.size).toBeGreaterThan(0);
    await driver.stop();
    expect(fake.openContexts.size).toBe(0);
  });
});
