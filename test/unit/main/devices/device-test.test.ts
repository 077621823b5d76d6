// The device tests on real services over stand-in links: a document reader on an in-memory
// link (waits through connecting, shows the read document's fields, passes a misread on,
// names an absent port's problem, times out, is cancelled), a chip reader on a stand-in for
// the PC/SC package (the card and its ATR, a reader that is not there), and a device that is
// not set up. The same functions against the simulators' ptys: test/integration/main/cli/devices-cli.

import { describe, expect, it } from 'vitest';
import { ChipReaderService } from '../../../../main/devices/chip-reader-service.js';
import { testChipReader, testDocumentReader, testFingerprint } from '../../../../main/devices/device-test.js';
import { DocumentReaderService } from '../../../../main/devices/document-reader-service.js';
import { openDatabase } from '../../../../main/store/database.js';
import { DeviceError } from '../../../../native/device-error.js';
import { ChipReader } from '../../../../native/emrtd/chip-reader-family.js';
import { DocumentReader } from '../../../../native/idreader/document-reader.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { MRZ_SAMPLE_DOCUMENTS } from '../../../../native/sim/mrz-sim.js';
import { DeviceLink } from '../../../../native/transport/device-link.js';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { FakePcsc } from '../../native/transport/fake-pcsc.js';

/** A started document reader service whose link opens `open` (a memory transport, or a failing open). */
function documentReader(open: () => Promise<void> = async () => undefined): { service: DocumentReaderService; driver: DocumentReader } {
  const link = new DeviceLink({
    name: 'MRZ document reader',
    createTransport: () => {
      const [end] = createMemoryPair('reader');
      const openEnd = end.open.bind(end);
      return Object.assign(end, { open: () => open().then(openEnd) });
    },
    retry: { firstMs: 60_000, maxMs: 60_000 },
  });
  const driver = new DocumentReader('MRZ document reader', link, () => undefined);
  const service = new DocumentReaderService(driver, { simulated: false });
  service.start();
  return { service, driver };
}

const passport = () => ({ kind: 'mrz' as const, at: new Date(), result: parseMrz(MRZ_SAMPLE_DOCUMENTS.passport) });

describe('testDocumentReader', () => {
  it('waits until the reader is connected, then shows the next document\'s fields with their verdicts', async () => {
    const { service, driver } = documentReader();
    let waiting = false;
    const result = testDocumentReader(service, 10_000, {
      onWaiting: () => {
        waiting = true;
        driver.emit('reading', passport());
      },
    });
    await expect(result).resolves.toMatchObject({ role: 'document-reader', source: 'mrz', documentType: 'TD3', valid: true });
    expect((await result).fields).toContainEqual({ name: 'documentNumber', value: 'L898902C3', ok: true });
    expect(waiting).toBe(true);
    await service.stop();
  });

  it('passes the reader\'s own error on for a misread', async () => {
    const { service, driver } = documentReader();
    const misread = new DeviceError('MRZ_INCOMPLETE', 'The MRZ reader sent only part of a document.');
    await expect(testDocumentReader(service, 10_000, { onWaiting: () => driver.emit('failure', misread) })).rejects.toBe(misread);
    await service.stop();
  });

  it('names the problem of a port that is not there, with the operating system\'s detail', async () => {
    const { service } = documentReader(async () => {
      throw new DeviceError('SERIAL_OPEN_FAILED', 'Could not open serial /dev/ttyUSB7 @ 9600: Error: No such file or directory.',
        { path: '/dev/ttyUSB7', cause: 'Error: No such file or directory, cannot open /dev/ttyUSB7' });
    });
    await expect(testDocumentReader(service, 10_000)).rejects.toMatchObject({
      code: 'DEVICE_NOT_READY',
      details: { role: 'document-reader', problem: 'not-connected' },
      message: expect.stringMatching(/^The document reader is not connected \(SERIAL_OPEN_FAILED: Could not open serial \/dev\/ttyUSB7 .*\): check its cable/),
    });
    await service.stop();
  });

  it('gives up with DEVICE_TEST_TIMEOUT when no document comes, and with DEVICE_TEST_CANCELLED when cancelled', async () => {
    const { service } = documentReader();
    await expect(testDocumentReader(service, 50)).rejects.toMatchObject({
      code: 'DEVICE_TEST_TIMEOUT', message: 'No document was read in 0 s: lay a document on the reader and test again.',
    });
    const cancel = new AbortController();
    await expect(testDocumentReader(service, 60_000, { signal: cancel.signal, onWaiting: () => cancel.abort() }))
      .rejects.toMatchObject({ code: 'DEVICE_TEST_CANCELLED', details: { role: 'document-reader' } });
    await service.stop();
  });
});

describe('a device that is not set up', () => {
  it('is DEVICE_NOT_READY with the problem not-set-up, for every role', async () => {
    for (const [role, test] of [['document-reader', testDocumentReader], ['fingerprint', testFingerprint], ['chip-reader', testChipReader]] as const) {
      await expect(test(null, 1_000)).rejects.toMatchObject({
        code: 'DEVICE_NOT_READY', details: { role, problem: 'not-set-up' }, message: expect.stringContaining('devices set'),
      });
    }
  });
});

describe('testChipReader', () => {
  const READER = 'ACS ACR1252 1S CL Reader PICC 00 00';
  const ATR = Uint8Array.of(0x3b, 0x8f, 0x80, 0x01, 0x80);

  function chipReader(fake: FakePcsc, reader: string | null): ChipReaderService {
    const db = openDatabase(':memory:');
    const service = new ChipReaderService(new ChipReader(new PcscCardReaders({ pcsc: fake }), { kind: 'pcsc', reader, extendedLength: false }),
      { db, now: () => new Date(), simulated: false, readerName: reader });
    service.start();
    return service;
  }

  it('shows the reader with the card on it and its answer to reset, or that it has none', async () => {
    const fake = new FakePcsc([READER]);
    const service = chipReader(fake, READER);
    expect(await testChipReader(service, 10_000)).toEqual({ role: 'chip-reader', reader: READER, cardPresent: false, atr: null });
    fake.insert(READER, { atr: ATR });
    await new Promise((resolve) => service.once('card', resolve));
    expect(await testChipReader(service, 10_000)).toEqual({ role: 'chip-reader', reader: READER, cardPresent: true, atr: '3b8f800180' });
    await service.stop();
  });

  it('names a configured reader that pcscd does not list as not connected', async () => {
    const service = chipReader(new FakePcsc([READER]), 'Identiv uTrust 3700 F CL Reader 00 00');
    await expect(testChipReader(service, 10_000)).rejects.toMatchObject({
      code: 'DEVICE_NOT_READY', details: { role: 'chip-reader', problem: 'not-connected' }, message: expect.stringContaining('Identiv uTrust'),
    });
    await service.stop();
  });
});
