// `gatehouse-authority config set FILE` and `operators set FILE`: publish a new signed version of
// the station configuration (a JSON object of settings) or the operator list (a JSON array of
// {name, role, active}); kiosks pick it up on their next pull.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { z } from 'zod';
import { AuthorityError } from '../../authority-error.js';
import { Operators, publish, StationSettings } from '../../published-documents.js';
import { withAuthority, type CliIo } from '../cli-context.js';

async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AuthorityError(400, 'CLI_FILE_UNREADABLE', `Cannot read JSON from ${file}: ${(error as Error).message}`, { file });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuthorityError(400, 'CLI_FILE_INVALID', `${file} is invalid at ${issue?.path.join('.') || 'the top'}: ${issue?.message}.`, { file });
  }
  return parsed.data;
}

const PUBLISHED = [
  { command: 'config', kind: 'station-config', schema: StationSettings, noun: 'station configuration', shape: 'a JSON object of settings' },
  { command: 'operators', kind: 'operators', schema: Operators, noun: 'operator list', shape: 'a JSON array of {name, role, active}' },
] as const;

export function registerPublishCommands(program: Command, io: CliIo): void {
  for (const published of PUBLISHED) {
    program.command(published.command).description(`the ${published.noun} kiosks download`)
      .command('set <file>')
      .description(`publish FILE (${published.shape}) as the next version of the ${published.noun}`)
      .action(async (file: string, _options: unknown, command: Command) => {
        const content = published.kind === 'station-config'
          ? { kind: published.kind, settings: await readJsonFile(file, published.schema) }
          : { kind: published.kind, operators: await readJsonFile(file, published.schema) };
        const { version } = await withAuthority(command, (authority) => publish(authority, content));
        io.out(`published ${published.noun} version ${version}\n`);
      });
  }
}
