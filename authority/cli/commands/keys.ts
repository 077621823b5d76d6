// `gatehouse-authority keys`: the authority's one identity, held in its store for every replica.
// `init` creates it once (and the key-encryption key file, when no KEK is given); `import` moves
// the key files of an authority from before keys lived in the store into it, once; `show` lists
// the public keys; `rotate` adds the next signing and sealing keys, announced to kiosks in the
// station configuration, that take over after an overlap. No other command ever creates keys.
import type { Command } from 'commander';
import { AuthorityError } from '../../authority-error.js';
import { openAuthority } from '../../authority.js';
import { addNextGeneration } from '../../authority-keys.js';
import { importAuthorityKeyFiles, initAuthorityKeys, type KeysCreated } from '../../keys/init-keys.js';
import { configuredCustody } from '../../keys/kek-source.js';
import { republishStationConfig } from '../../published-documents.js';
import { openRepository } from '../../store/open-repository.js';
import type { AuthorityKeyRow } from '../../store/repository.js';
import { json, storeOptionsOf, type CliIo } from '../cli-context.js';

const MAX_OVERLAP_DAYS = 365;

/** What `keys` prints of a key: never its private half. */
const publicView = ({ keyId, generation, purpose, publicKey, custody, createdAt, activeFrom }: AuthorityKeyRow) =>
  ({ keyId, generation, purpose, publicKey, custody, createdAt, activeFrom });

const listing = (rows: readonly AuthorityKeyRow[]): string =>
  rows.map((row) => `generation ${row.generation} ${row.purpose.padEnd(7)} ${row.keyId} from ${row.activeFrom}\n`).join('');

const kekNote = (kekFile: string | undefined): string => kekFile === undefined ? ''
  : `key-encryption key written to ${kekFile}: every replica needs it (--kek-file or GATEHOUSE_AUTHORITY_KEK); keep a copy offline\n`;

const created = (made: KeysCreated, asJson: boolean | undefined): string =>
  asJson ? json({ keys: made.keys.map(publicView), kekFile: made.kekFile ?? null }) : `${listing(made.keys)}${kekNote(made.kekFile)}`;

async function showKeys(command: Command): Promise<AuthorityKeyRow[]> {
  const { dataDir, database } = storeOptionsOf(command);
  const repository = await openRepository(dataDir, database);
  try {
    return await repository.listAuthorityKeys();
  } finally {
    await repository.close();
  }
}

async function rotate(command: Command, overlapDays: number): Promise<{ keys: AuthorityKeyRow[]; stationConfigVersion: number }> {
  const options = storeOptionsOf(command);
  const custody = await configuredCustody(options);
  const authority = await openAuthority({ ...options, custody });
  try {
    const keys = await addNextGeneration(authority.repository, custody, authority.clock(), overlapDays);
    await authority.keys.refresh();
    return { keys, stationConfigVersion: (await republishStationConfig(authority)).version };
  } finally {
    await authority.close();
  }
}

export function registerKeysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('the authority keys, held once in the store for every replica');
  keys.command('init')
    .description('create the authority keys (once; refused when the store holds keys)')
    .option('--json', 'print the new public keys as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      io.out(created(await initAuthorityKeys(storeOptionsOf(command)), options.json));
    });
  keys.command('import')
    .description('move the key files of an authority from before keys lived in the store into the store (once)')
    .option('--from <dir>', 'the folder holding authority-{signing,sealing,update}-key.pem (default: --data)')
    .option('--json', 'print the imported public keys as JSON')
    .action(async (options: { from?: string; json?: boolean }, command: Command) => {
      const store = storeOptionsOf(command);
      io.out(created(await importAuthorityKeyFiles(store, options.from ?? store.dataDir), options.json));
    });
  keys.command('show')
    .description('list the authority public keys and key ids')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await showKeys(command);
      io.out(options.json ? json(rows.map(publicView)) : listing(rows));
    });
  keys.command('rotate')
    .description('add the next signing and sealing keys; kiosks learn them now and they take over after the overlap')
    .requiredOption('--overlap <days>', `days until the new keys take over (1 to ${MAX_OVERLAP_DAYS}); longer than any kiosk stays offline`)
    .option('--json', 'print the new keys and the station configuration version as JSON')
    .action(async (options: { overlap: string; json?: boolean }, command: Command) => {
      const days = Number(options.overlap);
      if (!Number.isInteger(days) || days < 1 || days > MAX_OVERLAP_DAYS) {
        throw new AuthorityError(400, 'CLI_INVALID_OPTIONS', `--overlap must be a whole number of days from 1 to ${MAX_OVERLAP_DAYS}, not "${options.overlap}".`);
      }
      const rotated = await rotate(command, days);
      io.out(options.json
        ? json({ keys: rotated.keys.map(publicView), stationConfigVersion: rotated.stationConfigVersion })
        : `${listing(rotated.keys)}announced in station configuration version ${rotated.stationConfigVersion}\n`);
    });
}
