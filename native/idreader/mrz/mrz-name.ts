// The MRZ name field (Doc 9303 part 3, 4.6): primary identifier, '<<', secondary identifier,
// words joined by '<', filled with '<' to the end of the field.

import { DeviceError } from '../../device-error.js';

export interface MrzName {
  /** Primary identifier, words separated by single spaces. */
  surname: string;
  /** Secondary identifier, words separated by single spaces. */
  givenNames: string;
  /** The field is full to its last position, which is how a truncated name shows. */
  truncated: boolean;
}

const words = (raw: string): string => raw.split('<').filter((w) => w !== '').join(' ');

export function parseMrzName(field: string): MrzName {
  const separator = field.indexOf('<<');
  return {
    surname: words(separator === -1 ? field : field.slice(0, separator)),
    givenNames: words(separator === -1 ? '' : field.slice(separator + 2)),
    truncated: field.length > 0 && !field.endsWith('<'),
  };
}

const NAME_PATTERN = /^([A-Z]+( [A-Z]+)*)?$/;

/** The name field of `length` characters; names must already be MRZ letters and single spaces. */
export function encodeMrzName(surname: string, givenNames: string, length: number): string {
  for (const [field, value] of [['surname', surname], ['givenNames', givenNames]] as const) {
    if (!NAME_PATTERN.test(value)) {
      throw new DeviceError('MRZ_FIELD_INVALID', `The ${field} must be words of A–Z separated by single spaces.`, {
        field,
      });
    }
  }
  const encoded = (givenNames === '' ? surname : `${surname}<<${givenNames}`).replaceAll(' ', '<');
  if (encoded.length > length) {
    const message = `The name needs ${encoded.length} characters; the field has ${length}.`;
    throw new DeviceError('MRZ_FIELD_INVALID', message, { field: 'surname', length: encoded.length, maximum: length });
  }
  return encoded.padEnd(length, '<');
}
