// `gatehouse-authority serve`: run the /v1 API until SIGTERM or SIGINT. Prints `ready <url>` once
// it listens (on 127.0.0.1 unless --host says otherwise), then closes the server and the store.
import type { Command } from 'commander';
import { AuthorityError } from '../../authority-error.js';
import { startAuthorityServer } from '../../http/server.js';
import { withAuthority, type CliIo } from '../cli-context.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program.command('serve')
    .description('serve the authority API')
    .option('--port <port>', 'TCP port (0 = any free port)', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: string; host: string }, command: Command) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new AuthorityError(400, 'CLI_INVALID_OPTIONS', `--port must be a whole number from 0 to 65535, not "${options.port}".`);
      }
      await withAuthority(command, async (authority) => {
        const server = await startAuthorityServer(authority, { host: options.host, port });
        io.out(`ready ${server.url}\n`);
        await io.untilStopped();
        await server.close();
      });
    });
}
