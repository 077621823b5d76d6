// The operating settings of the authority beyond its address: the store's pool size and timeouts
// (every command; `serve` also takes them as options), and serve's TLS certificate, drain timeout
// and registration budget. Each comes from its option or, when that is absent, from the
// environment (authority.conf in the packaged service); a value that is not a whole number in
// range stops the command with a message instead of becoming NaN somewhere below.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { AuthorityError } from '../authority-error.js';
import { DEFAULT_LIMITS } from '../authority.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, type TlsCredentials } from '../http/server.js';
import { DEFAULT_STORE_TUNING, type StoreTuning } from '../store/store-tuning.js';

type Environment = Record<string, string | undefined>;

/** The options as Commander hands them over (names in camelCase), serve's own included when it runs. */
export interface OperatingFlags {
  poolSize?: string;
  statementTimeout?: string;
  busyTimeout?: string;
  tlsCert?: string;
  tlsKey?: string;
  drainTimeout?: string;
  registrationAttempts?: string;
}

interface Setting {
  flag: keyof OperatingFlags;
  option: string;
  env: string;
}

const SETTINGS = {
  poolSize: { flag: 'poolSize', option: '--pool-size', env: 'GATEHOUSE_AUTHORITY_POOL_SIZE' },
  statementTimeout: { flag: 'statementTimeout', option: '--statement-timeout', env: 'GATEHOUSE_AUTHORITY_STATEMENT_TIMEOUT_MS' },
  busyTimeout: { flag: 'busyTimeout', option: '--busy-timeout', env: 'GATEHOUSE_AUTHORITY_BUSY_TIMEOUT_MS' },
  tlsCert: { flag: 'tlsCert', option: '--tls-cert', env: 'GATEHOUSE_AUTHORITY_TLS_CERT' },
  tlsKey: { flag: 'tlsKey', option: '--tls-key', env: 'GATEHOUSE_AUTHORITY_TLS_KEY' },
  drainTimeout: { flag: 'drainTimeout', option: '--drain-timeout', env: 'GATEHOUSE_AUTHORITY_DRAIN_TIMEOUT_MS' },
  registrationAttempts: { flag: 'registrationAttempts', option: '--registration-attempts', env: 'GATEHOUSE_AUTHORITY_REGISTRATION_ATTEMPTS' },
} as const satisfies Record<string, Setting>;

const given = (setting: Setting, flags: OperatingFlags, env: Environment): string | undefined => {
  const value = flags[setting.flag] ?? env[setting.env];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

function wholeNumber(setting: Setting, flags: OperatingFlags, env: Environment, range: { min: number; max: number; fallback: number }): number {
  const text = given(setting, flags, env);
  if (text === undefined) return range.fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new AuthorityError(400, 'CLI_INVALID_OPTIONS',
      `${setting.option} (or ${setting.env}) must be a whole number from ${range.min} to ${range.max}, not "${text}".`, { option: setting.option });
  }
  return value;
}

const HOUR_MS = 3_600_000;

export function storeTuningFrom(flags: OperatingFlags, env: Environment): StoreTuning {
  return {
    poolSize: wholeNumber(SETTINGS.poolSize, flags, env, { min: 1, max: 1000, fallback: DEFAULT_STORE_TUNING.poolSize }),
    statementTimeoutMs: wholeNumber(SETTINGS.statementTimeout, flags, env, { min: 100, max: HOUR_MS, fallback: DEFAULT_STORE_TUNING.statementTimeoutMs }),
    busyTimeoutMs: wholeNumber(SETTINGS.busyTimeout, flags, env, { min: 0, max: HOUR_MS, fallback: DEFAULT_STORE_TUNING.busyTimeoutMs }),
  };
}

export interface ServeSettings {
  tls: { certFile: string; keyFile: string } | undefined;
  drainTimeoutMs: number;
  /** Kiosk registrations one client address may attempt per window (many kiosks behind one address need more). */
  registrationAttemptsPerWindow: number;
}

export function serveSettingsFrom(flags: OperatingFlags, env: Environment): ServeSettings {
  const certFile = given(SETTINGS.tlsCert, flags, env);
  const keyFile = given(SETTINGS.tlsKey, flags, env);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new AuthorityError(400, 'CLI_INVALID_OPTIONS', 'Give both --tls-cert and --tls-key (or GATEHOUSE_AUTHORITY_TLS_CERT and _KEY), or neither for plain HTTP.');
  }
  return {
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    drainTimeoutMs: wholeNumber(SETTINGS.drainTimeout, flags, env, { min: 0, max: HOUR_MS, fallback: DEFAULT_DRAIN_TIMEOUT_MS }),
    registrationAttemptsPerWindow: wholeNumber(SETTINGS.registrationAttempts, flags, env,
      { min: 1, max: 1_000_000, fallback: DEFAULT_LIMITS.registrationAttemptsPerWindow }),
  };
}

/** The certificate chain and key, read and checked to be a matching PEM pair. */
export async function readTlsCredentials(files: { certFile: string; keyFile: string }): Promise<TlsCredentials> {
  let credentials: TlsCredentials;
  try {
    credentials = { cert: await readFile(files.certFile), key: await readFile(files.keyFile) };
  } catch (error) {
    throw new AuthorityError(400, 'TLS_FILES_UNREADABLE', `The TLS certificate or key cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the paths and that the service user may read them.`,
      { certFile: files.certFile, keyFile: files.keyFile });
  }
  try {
    createSecureContext(credentials);
  } catch (error) {
    throw new AuthorityError(400, 'TLS_FILES_INVALID', `${files.certFile} and ${files.keyFile} are not a PEM certificate and its private key (${(error as Error).message}).`,
      { certFile: files.certFile, keyFile: files.keyFile });
  }
  return credentials;
}
