// What the chip reader tests share: one test PKI and day, the sample holder's passport MRZ (the
// one the simulated MRZ reader reads) and the keys made from it, and a read against a chip with
// the test PKI's trust store and clock.

import type { MrzAccessFields } from '../../../../native/emrtd/bac.js';
import { readChip, type ReadChipOptions } from '../../../../native/emrtd/chip-reader.js';
import type { ChipAccessKey, ChipReading } from '../../../../native/emrtd/chip-reading.js';
import { parseMrz } from '../../../../native/idreader/mrz/index.js';
import { createTestPki } from '../../../../native/sim/emrtd/test-pki.js';
import { VIRTUAL_CHIP_CAN } from '../../../../native/sim/emrtd/virtual-chip.js';
import { sampleMrzLines } from '../../../../native/sim/sample-holder.js';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';

export const NOW = new Date('2026-03-01T10:00:00Z');
export const pki = createTestPki({ now: NOW });
export const MRZ = sampleMrzLines('passport', NOW);

const { documentNumber, birthDate, expiryDate } = parseMrz(MRZ, { now: NOW }).fields;
export const MRZ_FIELDS: MrzAccessFields = { documentNumber, birthDate, expiryDate };
export const MRZ_KEY: ChipAccessKey = { kind: 'mrz', ...MRZ_FIELDS };
export const CAN_KEY: ChipAccessKey = { kind: 'can', can: VIRTUAL_CHIP_CAN };

/** readChip with the test PKI's trust store and clock. */
export function read(chip: ApduTransport, key: ChipAccessKey = MRZ_KEY, options: Partial<ReadChipOptions> = {}): Promise<ChipReading> {
  return readChip(chip, key, { trustStore: pki.trustStore(), now: () => NOW, ...options });
}
