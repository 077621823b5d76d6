// The chip reader family end to end through real PC/SC: its simulator (a private pcscd, the
// vpcd reader, virtual passports) and its driver on the `smartcard` package — the reader and
// the card reported, a PACE passport read and verified against the test CSCA, a BAC-only
// one, an altered one refused, a card pulled mid-read, and the time from the card being
// reported to its verified portrait (logged, not asserted). The simulator points this
// process's PC/SC client at its private pcscd, so this file has no other pcscd.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChipAccessKey } from '../../../../native/emrtd/chip-reading.js';
import {
  chipReaderFamily, type ChipCardEvent, type ChipReader, type ChipReaderSimulation, type ChipReaderStatus,
} from '../../../../native/emrtd/chip-reader-family.js';
import { CscaTrustStore } from '../../../../native/emrtd/csca-trust.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { sampleMrzLines } from '../../../../native/sim/sample-holder.js';

const now = (): Date => new Date();
const runDir = mkdtempSync(join(tmpdir(), 'gatehouse-chip-read-'));
let simulation: ChipReaderSimulation;
let driver: ChipReader;
let trustStore: CscaTrustStore;

/** The sample holder's passport MRZ, which the simulated chips carry by default. */
const { documentNumber, birthDate, expiryDate } = parseMrz(sampleMrzLines('passport', now()), { now: now() }).fields;
const MRZ_KEY: ChipAccessKey = { kind: 'mrz', documentNumber, birthDate, expiryDate };

beforeAll(async () => {
  simulation = await chipReaderFamily.simulate({ runDir, now });
  driver = chipReaderFamily.open(simulation.config, { now });
  trustStore = new CscaTrustStore();
  for (const der of simulation.cscaCertificates) trustStore.add(der, 'simulated chip reader');
  await driver.start();
});

afterAll(async () => {
  await driver?.stop();
  await simulation?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

function nextCard(present: boolean): Promise<ChipCardEvent> {
  return new Promise((resolve) => {
    const listener = (event: ChipCardEvent): void => {
      if (event.present !== present) return;
      driver.off('card', listener);
      resolve(event);
    };
    driver.on('card', listener);
  });
}

/** Presents `scenario` and resolves once the driver reports the card, with the time it did. */
async function present(scenario: Parameters<ChipReaderSimulation['present']>[0]): Promise<number> {
  const inserted = nextCard(true).then(() => performance.now());
  await simulation.present(scenario);
  return inserted;
}

async function takeAway(): Promise<void> {
  if (!driver.status.cardPresent) return;
  const removed = nextCard(false);
  await simulation.remove();
  await removed;
}

describe('the chip reader family through pcscd and vpcd', () => {
  it('reports the simulated reader, empty, and refuses a read without a card', async () => {
    expect(simulation.config).toEqual({ kind: 'pcsc', reader: expect.stringMatching(/ 00 00$/), extendedLength: true });
    expect(driver.status).toEqual<ChipReaderStatus>({ state: 'ready', reader: simulation.config.reader, cardPresent: false, atr: null, error: null });
    await expect(driver.read(MRZ_KEY, { trustStore })).rejects.toMatchObject({
      code: 'CHIP_NO_CARD', message: expect.stringContaining(`"${simulation.config.reader}"`),
    });
  });

  it('reads a valid passport with PACE, verifies it against the test CSCA, and reads one document at a time', async () => {
    const insertedAt = await present('valid');
    expect(driver.status).toEqual<ChipReaderStatus>({ state: 'ready', reader: simulation.config.reader, cardPresent: true, atr: expect.any(Uint8Array), error: null });

    const reading = driver.read(MRZ_KEY, { trustStore, now });
    await expect(driver.read(MRZ_KEY, { trustStore })).rejects.toMatchObject({ code: 'CHIP_BUSY' });
    const result = await reading;
    const verifiedAfterMs = performance.now() - insertedAt;
    expect(result.access).toMatchObject({ protocol: 'PACE', password: 'mrz' });
    expect(result.passiveAuthentication).toMatchObject({ status: 'valid', csca: { country: 'UT' } });
    expect(result.dg1.lines).toEqual(sampleMrzLines('passport', now()));
    expect(result.portrait).toMatchObject({ format: 'jpeg', width: expect.any(Number), height: expect.any(Number) });
    console.info(`chip read through pcscd + vpcd: card reported → verified portrait in ${Math.round(verifiedAfterMs)} ms `
      + `(the read itself ${Math.round(result.durationMs)} ms, extended length ${simulation.config.extendedLength ? 'on' : 'off'})`);
    await takeAway();
  });

  it('falls back to BAC for a passport without PACE', async () => {
    await present('no-pace');
    const result = await driver.read(MRZ_KEY, { trustStore, now });
    expect(result.access.protocol).toBe('BAC');
    expect(result.passiveAuthentication.status).toBe('valid');
    await takeAway();
  });

  it('fails Passive Authentication for a passport whose DG1 was altered after signing', async () => {
    await present('altered-dg1');
    const result = await driver.read(MRZ_KEY, { trustStore, now });
    expect(result.passiveAuthentication).toMatchObject({ status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 1 });
    await takeAway();
  });

  it('fails with the removal error when the card is pulled mid-read, and reports the card gone', async () => {
    await present('removed-mid-read');
    const removed = nextCard(false);
    await expect(driver.read(MRZ_KEY, { trustStore, now })).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
    expect(await removed).toMatchObject({ present: false, reader: simulation.config.reader });
    expect(driver.status).toMatchObject({ state: 'ready', cardPresent: false });
    await expect(driver.read(MRZ_KEY, { trustStore })).rejects.toMatchObject({ code: 'CHIP_NO_CARD' });
  });
});
