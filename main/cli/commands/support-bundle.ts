// `gatehouse support-bundle --out DIR [--log FILE] [--journal-unit UNIT] [--json]`: the
// diagnostics screen's support bundle from the command line, for a kiosk whose screen does not
// come up. Its log lines come from FILE or the unit's journal; the write is audited.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { runDiagnostics } from '../../diagnostics/diagnostics-run.js';
import { journalExcerpt, logFileExcerpt } from '../../diagnostics/log-sources.js';
import { writeSupportBundle } from '../../diagnostics/support-bundle.js';
import { GatehouseError } from '../../errors.js';
import { RECENT_LOG_LINES } from '../../log.js';
import { databasePath } from '../../store/database.js';
import { databaseKeyVaultFor } from '../../store/database-key.js';
import { dataDirOf, printJson, withDatabase } from '../cli-context.js';

interface Options {
  out: string;
  log?: string;
  journalUnit: string;
  json?: boolean;
}

export function registerSupportBundleCommand(program: Command): void {
  program.command('support-bundle')
    .description('write a support bundle (versions, settings, diagnostics, recent log lines; no personal data, no keys) into a folder')
    .requiredOption('--out <dir>', 'the folder to write it into (e.g. a USB stick)')
    .option('--log <file>', 'read the recent log lines from this file instead of the journal')
    .option('--journal-unit <unit>', 'the systemd unit whose journal holds the kiosk\'s log', 'gatehouse')
    .option('--json', 'print JSON')
    .action(async (options: Options, command: Command) => {
      const dataDir = dataDirOf(command);
      if (!fs.existsSync(databasePath(dataDir))) {
        throw new GatehouseError('SUPPORT_BUNDLE_NO_STORE', `There is no kiosk store in ${dataDir}; pass --data DIR of the kiosk (or run "gatehouse doctor").`, { dataDir });
      }
      const log = options.log ? logFileExcerpt(options.log, RECENT_LOG_LINES) : await journalExcerpt(options.journalUnit, RECENT_LOG_LINES);
      const written = await withDatabase(command, async (db) => {
        const report = await runDiagnostics({
          dataDir,
          store: { db, databaseKey: () => databaseKeyVaultFor(dataDir).loadDatabaseKey() },
          devices: () => [],
          sync: () => null,
        });
        const bundle = writeSupportBundle(options.out, { db, report, log, now: new Date() });
        appendAudit(db, { actor: 'cli', action: 'diagnostics.support-bundle-written', details: { file: path.basename(bundle.file), bytes: bundle.bytes } });
        return bundle;
      });
      if (options.json) printJson({ ...written, logSource: log.source });
      else process.stdout.write(`support bundle written to ${written.file} (${written.bytes} bytes; log lines from ${log.source})\n`);
    });
}
