// `gatehouse slip --record NUMBER --out FILE.pdf [--language L]`: the acknowledgement slip of a
// record, drawn exactly as the kiosk prints it, without a screen (the slip is kept, sealed for
// the kiosk, until the record's retention ends).

import type { Command } from 'commander';
import { parseEnrollmentNumber } from '../../../protocol/enrollment-number.js';
import { GatehouseError } from '../../errors.js';
import { writePrivateFile } from '../../store/private-file.js';
import { Language } from '../../rpc/schemas.js';
import { slipHtml } from '../../slips/slip-document.js';
import { slipPdf } from '../../slips/slip-renderer.js';
import { readKeptSlip } from '../../slips/slip-store.js';
import { withProvisionedStore } from '../provisioned-store.js';

export function registerSlipCommand(program: Command): void {
  program.command('slip')
    .description("write a record's acknowledgement slip as PDF")
    .requiredOption('--record <number>', 'the enrollment number, e.g. K00A-261206-0042-N6')
    .requiredOption('--out <file>', 'the PDF to write')
    .option('--language <code>', `the slip's language (${Language.options.join(', ')}); default: the one the person chose`)
    .action(async (options: { record: string; out: string; language?: string }, command: Command) => {
      const number = parseEnrollmentNumber(options.record);
      if (!number.ok) throw new GatehouseError('CLI_INVALID_OPTIONS', `--record: ${number.message}`);
      const language = options.language === undefined ? undefined : Language.safeParse(options.language);
      if (language && !language.success) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', `--language must be one of ${Language.options.join(', ')}, not "${options.language}".`);
      }
      const slip = await withProvisionedStore(command, ({ db, provisioning }) => {
        const row = db.prepare('SELECT record_id AS recordId FROM outbox WHERE number = ?').get(number.number) as { recordId: string } | undefined;
        if (!row) throw new GatehouseError('RECORD_NOT_FOUND', `This kiosk holds no record numbered ${number.number}.`, { number: number.number });
        return readKeptSlip(db, provisioning.require(), row.recordId);
      });
      writePrivateFile(options.out, await slipPdf(await slipHtml(slip, language?.data ?? slip.language)));
      process.stdout.write(`${options.out}\n`);
    });
}
