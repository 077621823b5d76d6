// The framing both binary containers (sealed records, export bundles) start with: a 4-byte
// magic, a version byte, a big-endian u32 header length and a canonical-JSON header, so either
// file says what it is and what follows before any key is needed.
import type { z } from 'zod';
import { canonicalJson, canonicalJsonBytes } from './canonical-json.js';
import { ProtocolError } from './protocol-error.js';

export const FRAME_PREFIX_BYTES = 9;

export interface ContainerFormat {
  /** What a person calls it in an error message. */
  name: string;
  magic: string;
  version: number;
  maxHeaderBytes: number;
  /** The prefix of this container's error codes: ENVELOPE_TRUNCATED, BUNDLE_BAD_MAGIC, … */
  codePrefix: string;
}

export const containerError = (format: ContainerFormat, code: string, message: string, details: Record<string, unknown> = {}) =>
  new ProtocolError(`${format.codePrefix}_${code}`, message, details);

/** The framed header: magic, version, length and the canonical JSON of `header`. */
export function frameHeader(format: ContainerFormat, header: unknown): Buffer {
  const headerBytes = canonicalJsonBytes(header);
  const prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  prefix.write(format.magic, 0, 'ascii');
  prefix.writeUInt8(format.version, 4);
  prefix.writeUInt32BE(headerBytes.length, 5);
  return Buffer.concat([prefix, headerBytes]);
}

/** Checks magic and version at the start of `bytes` and returns the header length. */
export function readHeaderLength(format: ContainerFormat, bytes: Buffer): number {
  const magic = Buffer.from(format.magic, 'ascii');
  if (!bytes.subarray(0, magic.length).equals(magic.subarray(0, Math.min(bytes.length, magic.length)))) {
    throw containerError(format, 'BAD_MAGIC', `These bytes are not a ${format.name} (no "${format.magic}" magic).`);
  }
  if (bytes.length < FRAME_PREFIX_BYTES) throw truncatedError(format, bytes.length);
  const version = bytes.readUInt8(4);
  if (version !== format.version) {
    throw containerError(format, 'BAD_VERSION', `${format.name} version ${version} is not supported (this build reads ${format.version}).`,
      { version, supported: format.version });
  }
  const headerLength = bytes.readUInt32BE(5);
  if (headerLength > format.maxHeaderBytes) {
    throw containerError(format, 'MALFORMED', `The ${format.name} header claims ${headerLength} bytes; at most ${format.maxHeaderBytes} are allowed.`);
  }
  return headerLength;
}

export const truncatedError = (format: ContainerFormat, size: number) =>
  containerError(format, 'TRUNCATED', `The ${format.name} is truncated (${size} bytes).`, { size });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses header bytes that must be canonical JSON matching `schema`. */
export function parseHeader<T>(format: ContainerFormat, bytes: Uint8Array, schema: z.ZodType<T>): T {
  const malformed = (why: string) => containerError(format, 'MALFORMED', `The ${format.name} header ${why}.`);
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw malformed('is not UTF-8 JSON');
  }
  if (canonicalJson(value) !== text) throw malformed('is not in canonical JSON form');
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw malformed(`is invalid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
