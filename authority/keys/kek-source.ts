// Where the key-encryption key (KEK) comes from: a file given with --kek-file, else the
// environment (GATEHOUSE_AUTHORITY_KEK), else the file authority-kek in the data directory. Each
// holds the 32 bytes in base64 (`openssl rand -base64 32`). A KEK file must be readable by its
// owner only, as key files always were; every replica of one authority is given the same KEK.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthorityError } from '../authority-error.js';
import { KEK_BYTES, kekCustody, type KeyCustody } from './key-custody.js';

export const KEK_ENV = 'GATEHOUSE_AUTHORITY_KEK';
export const DEFAULT_KEK_FILE = 'authority-kek';

export interface KekOptions {
  dataDir: string;
  /** --kek-file */
  kekFile?: string;
  /** The environment to read GATEHOUSE_AUTHORITY_KEK from (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

const fingerprintOf = (kek: Buffer): string => createHash('sha256').update(kek).digest('hex').slice(0, 16);

/** The KEK's 32 bytes from its base64 text; AUTHORITY_KEK_MALFORMED names where it came from. */
export function parseKek(text: string, from: string): Buffer {
  const trimmed = text.trim();
  const kek = Buffer.from(trimmed, 'base64');
  if (kek.length !== KEK_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new AuthorityError(400, 'AUTHORITY_KEK_MALFORMED',
      `The key-encryption key in ${from} must be ${KEK_BYTES} bytes in base64 (make one with "openssl rand -base64 32").`, { from });
  }
  return kek;
}

async function readKekFile(file: string): Promise<Buffer> {
  if (((await stat(file)).mode & 0o077) !== 0) {
    throw new AuthorityError(500, 'KEY_FILE_EXPOSED', `${file} can be read by others than its owner; run "chmod 600 ${file}" and check who copied it.`, { file });
  }
  return parseKek(await readFile(file, 'utf8'), file);
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** The custody of the configured KEK; AUTHORITY_KEK_MISSING when none is configured. */
export async function configuredCustody(options: KekOptions): Promise<KeyCustody> {
  const env = options.env ?? process.env;
  const defaultFile = join(options.dataDir, DEFAULT_KEK_FILE);
  let kek: Buffer;
  if (options.kekFile !== undefined) kek = await readKekFile(options.kekFile);
  else if (env[KEK_ENV]) kek = parseKek(env[KEK_ENV], KEK_ENV);
  else if (await exists(defaultFile)) kek = await readKekFile(defaultFile);
  else {
    throw new AuthorityError(500, 'AUTHORITY_KEK_MISSING',
      `No key-encryption key: give --kek-file FILE or ${KEK_ENV}, or keep it in ${defaultFile} ("keys init" writes one there when none is given).`,
      { dataDir: options.dataDir });
  }
  return kekCustody(kek, fingerprintOf(kek));
}

/**
 * The configured KEK's custody, or when none is configured a fresh KEK written to authority-kek
 * in the data directory (0600, never over an existing file): what `keys init` and `keys import` use.
 */
export async function configuredOrNewCustody(options: KekOptions): Promise<{ custody: KeyCustody; createdFile?: string }> {
  try {
    return { custody: await configuredCustody(options) };
  } catch (error) {
    if (!(error instanceof AuthorityError && error.code === 'AUTHORITY_KEK_MISSING')) throw error;
  }
  const file = join(options.dataDir, DEFAULT_KEK_FILE);
  const kek = randomBytes(KEK_BYTES);
  await writeFile(file, `${kek.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { custody: kekCustody(kek, fingerprintOf(kek)), createdFile: file };
}
