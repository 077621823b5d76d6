// The document the enrollment tests read: the Doc 9303 part 4 specimen holder of Utopia,
// with an expiry date still ahead of the fixed "now" every such test judges dates by.

import type { MrzFieldValues } from '../../../../native/idreader/mrz/index.js';

export const NOW = new Date('2024-06-15T12:00:00Z');

export const PASSPORT: MrzFieldValues = {
  documentCode: 'P', issuingState: 'UTO', documentNumber: 'L898902C3', nationality: 'UTO', birthDate: '740812',
  sex: 'F', expiryDate: '340415', surname: 'ERIKSSON', givenNames: 'ANNA MARIA', optionalData: 'ZE184226B',
  optionalData2: '',
};
