// `gatehouse trust import FILE...` and `gatehouse trust list`: the CSCA certificates document
// chips are verified against. A technician imports PEM/DER certificates or an ICAO master list
// (checked before anything is kept); the list shows what is held, by country, including what
// the authority's station configuration adds.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { importCscaFile, listCscas, type CscaImportReport } from '../../chip/csca-store.js';
import { GatehouseError } from '../../errors.js';
import { printJson, withDatabase } from '../cli-context.js';

async function readTrustFile(path: string): Promise<Uint8Array> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new GatehouseError('CLI_FILE_UNREADABLE', `Cannot read ${path}: ${error.code ?? error.message}.`, { path });
  });
}

export function registerTrustCommand(program: Command): void {
  const trust = program.command('trust').description('the CSCA certificates document chips are verified against');

  trust.command('import')
    .description('import CSCA certificates (PEM or DER) or an ICAO CSCA master list')
    .argument('<files...>', 'certificate or master list files')
    .option('--json', 'print JSON')
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      const reports: Array<CscaImportReport & { file: string }> = [];
      for (const file of files) {
        const bytes = await readTrustFile(file);
        const at = new Date();
        const report = await withDatabase(command, (db) => db.transaction(() => {
          const imported = importCscaFile(db, bytes, { source: basename(file), at });
          appendAudit(db, {
            actor: 'cli', action: 'trust.import',
            details: { file: basename(file), kind: imported.kind, added: imported.added, alreadyHeld: imported.alreadyHeld, refused: imported.refused.length },
            at,
          });
          return imported;
        })());
        reports.push({ file, ...report });
      }
      if (options.json) return printJson({ imports: reports });
      for (const r of reports) {
        const refused = r.refused.length > 0 ? `, ${r.refused.length} refused (${r.refused.map((x) => x.reason).join('; ')})` : '';
        process.stdout.write(`${r.file}: ${r.kind}, ${r.added} added, ${r.alreadyHeld} already held${refused}\n`);
      }
    });

  trust.command('list')
    .description('list the CSCA certificates held, by country')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const cscas = await withDatabase(command, (db) => listCscas(db));
      if (options.json) return printJson({ cscas });
      if (cscas.length === 0) process.stdout.write('No CSCA certificates: document chips cannot be verified. Import some with `gatehouse trust import FILE`.\n');
      for (const c of cscas) process.stdout.write(`${c.country}  ${c.subject}  valid until ${c.notAfter.slice(0, 10)}  (${c.source})\n`);
    });
}
