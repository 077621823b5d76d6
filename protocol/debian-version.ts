// Debian package versions (Debian Policy §5.6.12), parsed strictly and ordered exactly as dpkg
// orders them, so the kiosk's rollback check and the authority's "latest" agree with the
// package manager that will install the update; and the identifying control fields of a
// package as dpkg-deb prints them, read the same way by the authority and the installer.
//
// Conventions: `[epoch:]upstream_version[-debian_revision]`. The epoch is a decimal number
// (absent = 0); the upstream version starts with a digit and holds only alphanumerics and
// `. + ~`, plus `-` when a revision follows (the revision is what follows the LAST hyphen);
// the revision holds only alphanumerics and `. + ~` and, when absent, compares as "0".
// Upstream and revision are compared by alternating a non-digit run (compared character by
// character: `~` before everything, even the end of the string; then the end; then letters;
// then every other character, each group in ASCII order) with a digit run (compared as a
// number, an empty run counting as 0).
import { z } from 'zod';
import { ProtocolError } from './protocol-error.js';

export interface DebianVersion {
  /** Decimal digits without leading zeros ("0" when absent). */
  epoch: string;
  upstream: string;
  /** "" when the version has no revision (which compares equal to "0"). */
  revision: string;
}

const EPOCH = /^[0-9]+$/;
const UPSTREAM_WITH_REVISION = /^[0-9][A-Za-z0-9.+~-]*$/;
const UPSTREAM_ALONE = /^[0-9][A-Za-z0-9.+~]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;
const MAX_LENGTH = 256;

/** Parses a Debian version string; DEBIAN_VERSION_INVALID says which part is wrong. */
export function parseDebianVersion(text: string): DebianVersion {
  const refuse = (why: string): never => {
    throw new ProtocolError('DEBIAN_VERSION_INVALID', `"${text.slice(0, 80)}" is not a Debian version: ${why}.`);
  };
  if (text.length === 0 || text.length > MAX_LENGTH) refuse(`it must be 1 to ${MAX_LENGTH} characters`);
  const colon = text.indexOf(':');
  const epoch = colon === -1 ? '0' : text.slice(0, colon);
  if (!EPOCH.test(epoch)) refuse('the epoch (before ":") must be a decimal number');
  const rest = colon === -1 ? text : text.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (hyphen !== -1 && !REVISION.test(revision)) refuse('the revision (after the last "-") must be letters, digits, ".", "+" or "~"');
  if (!(hyphen === -1 ? UPSTREAM_ALONE : UPSTREAM_WITH_REVISION).test(upstream)) {
    refuse('the upstream version must start with a digit and hold only letters, digits, ".", "+", "~" (and "-" when a revision follows)');
  }
  return { epoch: epoch.replace(/^0+(?=.)/, ''), upstream, revision };
}

/** A Debian version string in a zod schema: refused unless parseDebianVersion accepts it. */
export const DebianVersionText = z.string().refine((text) => {
  try {
    parseDebianVersion(text);
    return true;
  } catch {
    return false;
  }
}, 'a Debian version is [epoch:]upstream[-revision] (Debian Policy 5.6.12)');

/** The sort weight of one character of a non-digit run (undefined = past the end). */
function weight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === '~') return -1;
  const code = char.charCodeAt(0);
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  return code + 256;
}

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';

/** Compares two runs of decimal digits as numbers of any size. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return Math.sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares an upstream version or a revision by the Policy's alternating runs. */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = isDigit(a[i]) ? 0 : weight(a[i]);
      const wb = isDigit(b[j]) ? 0 : weight(b[j]);
      if (wa !== wb) return Math.sign(wa - wb);
      i += 1;
      j += 1;
    }
    const digitsFromI = i;
    while (isDigit(a[i])) i += 1;
    const digitsFromJ = j;
    while (isDigit(b[j])) j += 1;
    const order = compareDigits(a.slice(digitsFromI, i), b.slice(digitsFromJ, j));
    if (order !== 0) return order;
  }
  return 0;
}

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`; both must be valid versions. */
export function compareDebianVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseDebianVersion(a);
  const y = parseDebianVersion(b);
  const order = compareDigits(x.epoch, y.epoch) || comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
  return Math.sign(order) as -1 | 0 | 1;
}

/** What names a package file: its Package, Version and Architecture control fields. */
export interface DebianControlFields {
  package: string;
  version: string;
  architecture: string;
}

/** `dpkg-deb --field FILE Package Version Architecture`'s answer ("Name: value" lines); a field it did not print is empty. */
export function parseControlFields(output: string): DebianControlFields {
  const fields = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  return { package: fields.get('package') ?? '', version: fields.get('version') ?? '', architecture: fields.get('architecture') ?? '' };
}
