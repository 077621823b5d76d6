// The specimen MRZs printed in ICAO Doc 9303 (parts 4–7) for the fictional state Utopia,
// shared by the parser, formatter and CLI tests. Check digits verified by computation.

import type { MrzFieldValues, MrzFormat } from '../../../../../native/idreader/mrz/index.js';

export interface Specimen {
  format: MrzFormat;
  lines: string[];
  fields: MrzFieldValues;
}

const ANNA = { surname: 'ERIKSSON', givenNames: 'ANNA MARIA' };

export const SPECIMENS: Record<string, Specimen> = {
  td3: {
    format: 'TD3',
    lines: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'],
    fields: {
      documentCode: 'P', issuingState: 'UTO', documentNumber: 'L898902C3', nationality: 'UTO',
      birthDate: '740812', sex: 'F', expiryDate: '120415', ...ANNA, optionalData: 'ZE184226B', optionalData2: '',
    },
  },
  td1: {
    format: 'TD1',
    lines: ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'],
    fields: {
      documentCode: 'I', issuingState: 'UTO', documentNumber: 'D23145890', nationality: 'UTO',
      birthDate: '740812', sex: 'F', expiryDate: '120415', ...ANNA, optionalData: '', optionalData2: '',
    },
  },
  /** Part 5: a document number of 12 characters continues in the optional data. */
  td1LongNumber: {
    format: 'TD1',
    lines: ['I<UTOD23145890<7349<<<<<<<<<<<', '3407127M9507122UTO<<<<<<<<<<<2', 'STEVENSON<<PETER<JOHN<<<<<<<<<'],
    fields: {
      documentCode: 'I', issuingState: 'UTO', documentNumber: 'D23145890734', nationality: 'UTO',
      birthDate: '340712', sex: 'M', expiryDate: '950712', surname: 'STEVENSON', givenNames: 'PETER JOHN',
      optionalData: '', optionalData2: '',
    },
  },
  td2: {
    format: 'TD2',
    lines: ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'],
    fields: {
      documentCode: 'I', issuingState: 'UTO', documentNumber: 'D23145890', nationality: 'UTO',
      birthDate: '740812', sex: 'F', expiryDate: '120415', ...ANNA, optionalData: '', optionalData2: '',
    },
  },
  /** Part 6 convention applied to the TD2 specimen with a 12-character number. */
  td2LongNumber: {
    format: 'TD2',
    lines: ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D23145890<UTO7408122F12041597349<<<2'],
    fields: {
      documentCode: 'I', issuingState: 'UTO', documentNumber: 'D23145890734', nationality: 'UTO',
      birthDate: '740812', sex: 'F', expiryDate: '120415', ...ANNA, optionalData: '', optionalData2: '',
    },
  },
  mrva: {
    format: 'MRVA',
    lines: ['V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L8988901C4XXX4009078F96121096ZE184226B<<<<<<'],
    fields: {
      documentCode: 'V', issuingState: 'UTO', documentNumber: 'L8988901C', nationality: 'XXX',
      birthDate: '400907', sex: 'F', expiryDate: '961210', ...ANNA, optionalData: '6ZE184226B', optionalData2: '',
    },
  },
  mrvb: {
    format: 'MRVB',
    lines: ['V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'L8988901C4XXX4009078F9612109<<<<<<<<'],
    fields: {
      documentCode: 'V', issuingState: 'UTO', documentNumber: 'L8988901C', nationality: 'XXX',
      birthDate: '400907', sex: 'F', expiryDate: '961210', ...ANNA, optionalData: '', optionalData2: '',
    },
  },
};

/** A fixed "now" for every test that judges dates. */
export const NOW = new Date('2024-06-15T12:00:00Z');
