// `gatehouse-authority serve`: run the /v1 API until SIGTERM or SIGINT. Prints `ready <url>` once
// it listens (on 127.0.0.1 unless --host says otherwise; HTTPS with --tls-cert and --tls-key, the
// pair read again on SIGHUP), logs one JSON line per request on standard error, and when told to
// stop drains (serve-options.ts, http/server.ts), then closes the store.
import type { Command } from 'commander';
import { AuthorityError } from '../../authority-error.js';
import { startAuthorityServer } from '../../http/server.js';
import { jsonLinesLog } from '../../logging/request-log.js';
import { withAuthority, type CliIo } from '../cli-context.js';
import { readTlsCredentials, serveSettingsFrom, type OperatingFlags } from '../serve-options.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program.command('serve')
    .description('serve the authority API')
    .option('--port <port>', 'TCP port (0 = any free port)', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS (TLS 1.2+) with this PEM certificate chain (default: $GATEHOUSE_AUTHORITY_TLS_CERT); reread on SIGHUP')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (default: $GATEHOUSE_AUTHORITY_TLS_KEY)')
    .option('--drain-timeout <ms>', 'on SIGTERM, how long requests in flight may take to finish (default: $GATEHOUSE_AUTHORITY_DRAIN_TIMEOUT_MS or 20000)')
    .option('--pool-size <n>', 'PostgreSQL connections at most (default: $GATEHOUSE_AUTHORITY_POOL_SIZE or 10)')
    .option('--statement-timeout <ms>', 'PostgreSQL statement and connection-wait timeout (default: $GATEHOUSE_AUTHORITY_STATEMENT_TIMEOUT_MS or 30000)')
    .option('--busy-timeout <ms>', 'SQLite lock wait (default: $GATEHOUSE_AUTHORITY_BUSY_TIMEOUT_MS or 5000)')
    .option('--registration-attempts <n>', 'kiosk registrations one client address may attempt per 10 minutes; raise it when many kiosks '
      + 'register from behind one address (default: $GATEHOUSE_AUTHORITY_REGISTRATION_ATTEMPTS or 10)')
    .action(async (options: { port: string; host: string } & OperatingFlags, command: Command) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new AuthorityError(400, 'CLI_INVALID_OPTIONS', `--port must be a whole number from 0 to 65535, not "${options.port}".`);
      }
      const settings = serveSettingsFrom(options, process.env);
      const tls = settings.tls && await readTlsCredentials(settings.tls);
      await withAuthority(command, async (authority) => {
        const log = jsonLinesLog((line) => io.err(line), { requests: true });
        const server = await startAuthorityServer(authority, { host: options.host, port, tls, log, drainTimeoutMs: settings.drainTimeoutMs });
        const stopReloading = io.onReload?.(() => {
          if (settings.tls === undefined) return log.info('reload-ignored', { why: 'no TLS certificate to reload' });
          readTlsCredentials(settings.tls).then((fresh) => {
            server.reloadTls(fresh);
            log.info('tls-reloaded', { certFile: settings.tls!.certFile });
          }, (error: unknown) => log.failure(error));
        });
        io.out(`ready ${server.url}\n`);
        await io.untilStopped();
        log.info('draining', { inFlight: server.inFlight(), drainTimeoutMs: settings.drainTimeoutMs });
        await server.close();
        stopReloading?.();
      }, { registrationAttemptsPerWindow: settings.registrationAttemptsPerWindow });
    });
}
