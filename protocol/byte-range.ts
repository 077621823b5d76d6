// HTTP range requests (RFC 9110 §14) as the update channel uses them: the authority answers a
// package download's `Range: bytes=…` with one range (206 + Content-Range), 416 with
// `Content-Range: bytes */size` when none of it lies in the file, or the whole file when the
// field is absent, malformed or asks for several ranges (a server may ignore Range, §14.2); the
// kiosk resumes an interrupted download with `bytes=<bytes held>-` and checks the 206 it gets.

/** An inclusive byte range of a representation of `size` bytes. */
export interface ByteRange {
  first: number;
  last: number;
}

export type RangeRequest =
  | { kind: 'whole' }
  | { kind: 'range'; range: ByteRange }
  | { kind: 'unsatisfiable' };

const DIGITS = /^[0-9]{1,15}$/;

/**
 * What to send for the Range field `header` against a representation of `size` bytes: one range
 * (clipped to the file, §14.1.2), 416 when it lies wholly outside, or the whole file.
 */
export function interpretRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = /^bytes[ \t]*=[ \t]*(.*)$/i.exec(header.trim());
  if (match === null) return { kind: 'whole' }; // another unit, or not a range at all: ignored
  const specs = match[1]!.split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length !== 1) return { kind: 'whole' }; // several ranges (or none): served whole
  const [firstText, lastText, ...extra] = specs[0]!.split('-');
  if (extra.length > 0 || firstText === undefined || lastText === undefined) return { kind: 'whole' };
  if (firstText === '') {
    // A suffix: the last N bytes.
    if (!DIGITS.test(lastText)) return { kind: 'whole' };
    const length = Number(lastText);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { first: Math.max(0, size - length), last: size - 1 } };
  }
  if (!DIGITS.test(firstText) || (lastText !== '' && !DIGITS.test(lastText))) return { kind: 'whole' };
  const first = Number(firstText);
  const last = lastText === '' ? Infinity : Number(lastText);
  if (last < first) return { kind: 'whole' }; // invalid, so ignored
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { first, last: Math.min(last, size - 1) } };
}

/** The Content-Range of a 206: `bytes first-last/size`. */
export const contentRange = ({ first, last }: ByteRange, size: number): string => `bytes ${first}-${last}/${size}`;

/** The Content-Range of a 416: "bytes", a space, an asterisk, a slash and the size. */
export const unsatisfiedRange = (size: number): string => `bytes */${size}`;

/** Parses a 206's `Content-Range: bytes first-last/size` (the size may be `*`); null when it is not one. */
export function parseContentRange(header: string | null): (ByteRange & { size: number | null }) | null {
  const match = /^bytes ([0-9]{1,15})-([0-9]{1,15})\/([0-9]{1,15}|\*)$/.exec(header?.trim() ?? '');
  if (match === null) return null;
  const first = Number(match[1]);
  const last = Number(match[2]);
  const size = match[3] === '*' ? null : Number(match[3]);
  if (last < first || (size !== null && last >= size)) return null;
  return { first, last, size };
}
