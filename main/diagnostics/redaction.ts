// What a support bundle may carry out of the kiosk: values are scrubbed before they are
// written, whatever the code that logged or stored them meant to put there. Removed: the value
// of any key named like a secret (password, PIN, key, token, hash …) or like a person's data
// (document number, MRZ, names, birth date, images); long base64 or hex (keys, templates,
// images, digests; device paths kept); anything shaped like an MRZ line; and tokens shaped like
// document or ID numbers (6–20 capitals and digits with at least two digits, or eight digits and
// more). It removes too much rather than too little: a fingerprint module's bus `address` goes
// with every other key named like a person's address.

const SECRET_WORDS = new Set([
  'password', 'passwd', 'passphrase', 'pin', 'pins', 'secret', 'token', 'key', 'keys', 'seed', 'hash', 'cookie', 'authorization',
  'credential', 'credentials', 'session', 'signature', 'private',
]);
const PERSONAL_WORDS = new Set([
  'mrz', 'surname', 'surnames', 'given', 'forename', 'birth', 'dob', 'nationality', 'portrait', 'photo', 'image', 'images', 'template',
  'templates', 'address', 'person', 'holder',
]);
const PERSONAL_KEYS = new Set(['documentnumber', 'idnumber', 'personalnumber', 'cardnumber', 'passportnumber', 'fullname', 'givennames']);

export const REMOVED = '[removed]';

/** A key's words: camelCase, snake_case and kebab-case split, lower case. */
const wordsOf = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/** Whether a value under `key` must not leave the kiosk. */
export function isSensitiveKey(key: string): boolean {
  const words = wordsOf(key);
  return PERSONAL_KEYS.has(words.join('')) || words.some((word) => SECRET_WORDS.has(word) || PERSONAL_WORDS.has(word));
}

const PATTERNS: Array<[RegExp, string]> = [
  // An MRZ line (or a piece of one): capitals, digits and filler '<', 20 characters and more.
  [/[A-Z0-9<]*<[A-Z0-9<]*/g, '[mrz removed]'],
  // Base64, base64url or hex of 32 characters and more: keys, templates, images, digests.
  [/[A-Za-z0-9+/_-]{32,}={0,2}/g, '[data removed]'],
  // Eight digits and more (a CN resident ID's 17 digits and check character, phone numbers).
  [/\b\d{8,}[0-9Xx]?\b/g, '[number removed]'],
  // A document number: 6–20 capitals and digits with at least two digits (L898902C3, C01X00T47).
  [/\b(?=(?:[A-Z]*\d){2})[A-Z0-9]{6,20}\b/g, '[number removed]'],
];

/** Record, enrollment and kiosk ids: kept, they name no one and support needs them. */
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/**
 * A device path such as /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0 matches the base64 pattern
 * but is kept: its long segments have separators, which base64 (a JPEG's "/9j/4AAQSkZJRg…") lacks.
 */
const isDevicePath = (match: string) => match.startsWith('/') && match.split('/').slice(1).every((segment) => segment.length <= 16 || /[-_]/.test(segment));

const keeps = (replacement: string, match: string) =>
  (replacement === '[mrz removed]' && match.length < 20) || (replacement === '[data removed]' && isDevicePath(match));

const scrubPart = (text: string) => PATTERNS.reduce((scrubbed, [pattern, replacement]) =>
  scrubbed.replace(pattern, (match) => (keeps(replacement, match) ? match : replacement)), text);

/** `text` with MRZ-like lines, long base64/hex and document-number-like tokens replaced (UUIDs kept). */
export function scrubText(text: string): string {
  // split() with a capturing group puts the UUIDs at the odd places.
  return text.split(UUID).map((part, index) => (index % 2 === 1 ? part : scrubPart(part))).join('');
}

/** A deep copy of `value` with sensitive keys' values removed and every string scrubbed. */
export function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, isSensitiveKey(key) ? REMOVED : scrubValue(inner)]));
  }
  return value;
}

/** One log line scrubbed: a JSON line value by value (keys kept), any other line as text. */
export function scrubLogLine(line: string): string {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed !== null && typeof parsed === 'object') return JSON.stringify(scrubValue(parsed));
  } catch {
    // not JSON: scrubbed as text below
  }
  return scrubText(line);
}
