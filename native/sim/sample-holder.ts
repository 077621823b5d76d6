// The person every simulated document belongs to: a fictional holder from Utopia (Doc 9303's
// specimen state) whose documents stay valid for years from whenever the simulator runs, so
// the kiosk accepts them. The simulated MRZ reader and the chip simulator both present her,
// so a chip read after an MRZ read matches it.

import { formatMrz, type MrzFieldValues } from '../idreader/mrz/index.js';

export type SampleMrzDocument = 'passport' | 'id-card' | 'visa';

const HOLDER = {
  issuingState: 'UTO', nationality: 'UTO', birthDate: '850312', sex: 'F',
  surname: 'MUSTERFRAU', givenNames: 'ERIKA ANNA', optionalData2: '',
} as const;

/** The expiry date (YYMMDD) six years after `now`. */
function expiryFrom(now: Date): string {
  const expiry = new Date(now.getTime());
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 6);
  return expiry.toISOString().slice(2, 10).replaceAll('-', '');
}

/** The MRZ lines of the holder's passport (TD3), ID card (TD1) or visa (MRV-A). */
export function sampleMrzLines(document: SampleMrzDocument, now: Date): string[] {
  const holder: Omit<MrzFieldValues, 'documentCode' | 'documentNumber' | 'optionalData'> = { ...HOLDER, expiryDate: expiryFrom(now) };
  if (document === 'passport') return formatMrz({ ...holder, documentCode: 'P', documentNumber: 'C01X00T47', optionalData: '' }, 'TD3');
  if (document === 'id-card') return formatMrz({ ...holder, documentCode: 'ID', documentNumber: 'T22000129', optionalData: '' }, 'TD1');
  return formatMrz({ ...holder, documentCode: 'V', documentNumber: 'VX1234567', optionalData: '' }, 'MRVA');
}
