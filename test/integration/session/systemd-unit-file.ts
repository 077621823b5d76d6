// Reads the kiosk's systemd unit files the way systemd would, for tests that check them and run
// their commands without systemd: directives by section (a directive may repeat), the environment
// a unit's command gets from Environment= and EnvironmentFile=, and ExecStart= split into words
// with ${VAR} (one word) and $VAR (split at spaces) expanded, as systemd.service(5) describes.

import { readFileSync } from 'node:fs';

export interface UnitFile {
  /** Every value of `key` in `section`, in order; an empty assignment resets the list, as in systemd. */
  all(section: string, key: string): string[];
  /** The last value of `key` in `section`. */
  one(section: string, key: string): string | undefined;
}

export function parseUnitFile(text: string): UnitFile {
  const values = new Map<string, string[]>();
  let section = '';
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0 || section === '') throw new Error(`not a unit file line: ${line}`);
    const name = `${section}.${line.slice(0, equals).trim()}`;
    const value = line.slice(equals + 1).trim();
    values.set(name, value === '' ? [] : [...(values.get(name) ?? []), value]);
  }
  return {
    all: (s, key) => values.get(`${s}.${key}`) ?? [],
    one: (s, key) => values.get(`${s}.${key}`)?.at(-1),
  };
}

export function readUnitFile(path: string): UnitFile {
  return parseUnitFile(readFileSync(path, 'utf8'));
}

/** Words as systemd splits a command line or an Environment= value: at spaces, "double" or 'single' quotes keep spaces. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

/** KEY=VALUE lines of an environment file (comments with # or ;, quotes around a value dropped). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`not an environment file line: ${line}`);
    env[match[1]!] = match[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  }
  return env;
}

/**
 * The variables a unit sets for its command: each EnvironmentFile= (through `path`, which maps the
 * installed path to the file to read; "-" before it: optional), then each Environment=.
 */
export function unitEnvironment(unit: UnitFile, path: (installed: string) => string = (p) => p): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of unit.all('Service', 'EnvironmentFile')) {
    const optional = file.startsWith('-');
    const installed = optional ? file.slice(1) : file;
    let text: string;
    try {
      text = readFileSync(path(installed), 'utf8');
    } catch (error) {
      if (optional) continue;
      throw error;
    }
    Object.assign(env, parseEnvironmentFile(text));
  }
  for (const assignments of unit.all('Service', 'Environment')) {
    for (const word of splitWords(assignments)) {
      const equals = word.indexOf('=');
      env[word.slice(0, equals)] = word.slice(equals + 1);
    }
  }
  return env;
}

/** ExecStart= as the words systemd runs, its variables expanded from `env`; an unset one is an error here (systemd would expand it to nothing). */
export function execStartArgv(unit: UnitFile, env: Record<string, string>): string[] {
  const command = unit.one('Service', 'ExecStart');
  if (command === undefined) throw new Error('the unit has no ExecStart=');
  const value = (name: string) => {
    const found = env[name];
    if (found === undefined) throw new Error(`ExecStart= uses $${name}, which the unit does not set`);
    return found;
  };
  return splitWords(command.replace(/^[-@:+!]+/, '')).flatMap((word) => {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) return splitWords(value(whole[1]!));
    return [word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => value(name))];
  });
}
