// What every `gatehouse-authority` subcommand shares: where it writes (so tests can capture it;
// standard output may be closed early by its reader),
// how `serve` learns it should stop, the data directory and database from the global options,
// and opening the authority for the length of one command.
import type { Command } from 'commander';
import { AuthorityError } from '../authority-error.js';
import { openAuthority, type Authority, type AuthorityLimits } from '../authority.js';
import { storeTuningFrom, type OperatingFlags } from './serve-options.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the service should shut down (SIGTERM or SIGINT for the real command). */
  untilStopped(): Promise<void>;
  /** Calls `reload` on each request to reread files (SIGHUP for the real command) until the returned function is called. */
  onReload?(reload: () => void): () => void;
}

let stdoutGuarded = false;
let stdoutClosed = false;

/**
 * Standard output that a reader may close early (`records --json | head`): the first EPIPE ends
 * the output quietly — the rest is dropped, the command finishes and exits with its own status —
 * instead of an unhandled 'error' event killing the process with a stack trace.
 */
function writeStdout(text: string): void {
  if (stdoutClosed) return;
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stdoutClosed = true;
    });
  }
  process.stdout.write(text);
}
export const processIo: CliIo = {
  out: writeStdout,
  err: (text) => process.stderr.write(text),
  untilStopped: () => new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  }),
  onReload(reload) {
    process.on('SIGHUP', reload);
    return () => process.off('SIGHUP', reload);
  },
};

interface GlobalOptions {
  data?: string;
  database?: string;
  kekFile?: string;
  envelopes?: string;
}

/** The data directory, database, key-encryption key file and envelope store the global options name. */
export function storeOptionsOf(command: Command): { dataDir: string; database?: string; kekFile?: string; envelopes?: string } {
  const options = command.optsWithGlobals<GlobalOptions>();
  const dataDir = options.data ?? process.env.GATEHOUSE_AUTHORITY_DATA;
  if (!dataDir) {
    throw new AuthorityError(400, 'CLI_NO_DATA_DIR', 'Say where the authority keeps its keys and data: --data DIR (or GATEHOUSE_AUTHORITY_DATA).');
  }
  return {
    dataDir, database: options.database ?? process.env.GATEHOUSE_AUTHORITY_DATABASE, kekFile: options.kekFile,
    envelopes: options.envelopes ?? process.env.GATEHOUSE_AUTHORITY_ENVELOPES,
  };
}

/** Opens the authority for one command and always closes it. */
export async function withAuthority<T>(command: Command, use: (authority: Authority) => Promise<T>, limits?: Partial<AuthorityLimits>): Promise<T> {
  const authority = await openAuthority({ ...storeOptionsOf(command), store: storeTuningFrom(command.optsWithGlobals<OperatingFlags>(), process.env), limits });
  try {
    return await use(authority);
  } finally {
    await authority.close();
  }
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
