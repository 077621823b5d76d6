// Where the kiosk keeps its database and keys: --data DIR, else GATEHOUSE_DATA, else
// the per-user data directory ($XDG_DATA_HOME/gatehouse or ~/.local/share/gatehouse).

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.GATEHOUSE_DATA) return resolve(env.GATEHOUSE_DATA);
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'gatehouse');
}
