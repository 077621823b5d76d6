// Reading a document's chip with the simulator: the time from the card being reported on the
// reader to a verified portrait (access control, every file, Chip Authentication, Passive
// Authentication, the portrait decoded for the face check), through real PC/SC (a private
// pcscd with a vsmartcard-vpcd reader) with and without extended-length APDUs, and the same
// read in process, which is the protocol's own cost. No goal yet: reported.

import { chipReaderFamily, type ChipReader } from '../native/emrtd/chip-reader-family.js';
import { readChip } from '../native/emrtd/chip-reader.js';
import type { ChipAccessKey } from '../native/emrtd/chip-reading.js';
import { CscaTrustStore } from '../native/emrtd/csca-trust.js';
import { portraitJpeg } from '../native/emrtd/portrait-image.js';
import { parseMrz } from '../native/idreader/mrz/index.js';
import { createTestPki } from '../native/sim/emrtd/test-pki.js';
import { virtualChip } from '../native/sim/emrtd/virtual-chip.js';
import { sampleMrzLines } from '../native/sim/sample-holder.js';
import type { Benchmark, Measurement } from './report.js';

const RUNS = 5;

const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

function accessKey(now: Date): ChipAccessKey {
  const { documentNumber, birthDate, expiryDate } = parseMrz(sampleMrzLines('passport', now), { now }).fields;
  return { kind: 'mrz', documentNumber, birthDate, expiryDate };
}

/** Resolves once the driver reports a card on its reader (or none). */
function cardIs(driver: ChipReader, present: boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (driver.status.cardPresent !== present) return;
      driver.off('status', check);
      resolve();
    };
    driver.on('status', check);
    check();
  });
}

/** Milliseconds from the card reported present to the portrait ready for the face check, RUNS times. */
async function throughPcsc(extendedLength: boolean): Promise<{ samples: number[]; bytes: number }> {
  const now = () => new Date();
  const simulation = await chipReaderFamily.simulate({ now, runDir: '' });
  const driver = chipReaderFamily.open({ ...simulation.config, extendedLength }, { now });
  const trustStore = new CscaTrustStore();
  for (const der of simulation.cscaCertificates) trustStore.add(der, 'simulator');
  const samples: number[] = [];
  let bytes = 0;
  try {
    await driver.start();
    for (let run = 0; run < RUNS; run += 1) {
      const present = cardIs(driver, true);
      await simulation.present('valid');
      await present;
      const started = performance.now();
      const reading = await driver.read(accessKey(now()), { trustStore, now });
      if (reading.passiveAuthentication.status !== 'valid') throw new Error(`the simulated passport did not verify: ${reading.passiveAuthentication.status}`);
      await portraitJpeg(reading.portrait!);
      samples.push(performance.now() - started);
      bytes = reading.files.reduce((sum, file) => sum + file.bytes.length, 0);
      const gone = cardIs(driver, false);
      await simulation.remove();
      await gone;
    }
  } finally {
    await driver.stop();
    await simulation.stop();
  }
  return { samples, bytes };
}

async function inProcess(): Promise<number[]> {
  const at = new Date();
  const pki = createTestPki({ now: at });
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const chip = virtualChip('valid', { pki, mrz: sampleMrzLines('passport', at), now: at });
    const started = performance.now();
    const reading = await readChip(chip, accessKey(at), { trustStore: pki.trustStore(), now: () => at });
    await portraitJpeg(reading.portrait!);
    samples.push(performance.now() - started);
  }
  return samples;
}

export const chipBenchmark: Benchmark = {
  name: 'Document chip read (simulated passport)',
  command: 'npm run bench -- chip',
  async run() {
    const extended = await throughPcsc(true);
    const short = await throughPcsc(false);
    const local = await inProcess();
    const note = (r: { bytes: number }) => `PACE, Chip Authentication, Passive Authentication; ${r.bytes} bytes of files`;
    const measurements: Measurement[] = [
      { metric: `card present → verified portrait, PC/SC (pcscd + vpcd), extended-length APDUs, median of ${RUNS}`, value: median(extended.samples), unit: 'ms', note: note(extended) },
      { metric: `card present → verified portrait, PC/SC (pcscd + vpcd), short APDUs, median of ${RUNS}`, value: median(short.samples), unit: 'ms', note: note(short) },
      { metric: `the same read in process (no PC/SC), median of ${RUNS}`, value: median(local), unit: 'ms', note: 'the protocol and crypto alone' },
    ];
    return measurements;
  },
};
