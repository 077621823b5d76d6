// `serve` over TLS and its operating settings: with a certificate from a CA the test makes (the
// openssl command line), the authority speaks HTTPS with TLS 1.2 or newer only, swaps in a renewed
// certificate on reload (SIGHUP for the real command) without a restart, and the kiosk's fetch
// trusts it through NODE_EXTRA_CA_CERTS; the command logs each request as a JSON line and says when
// it drains; a pool size, timeout or certificate given wrongly stops it with a message.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, SecureVersion, TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../authority/cli/main.js';
import { projectRoot } from '../../../main/kiosk/project-root.js';
import { startAuthorityServer, type AuthorityServer } from '../../../authority/http/server.js';
import { apiPaths } from '../../../protocol/api.js';
import { startHarness, type Harness } from './authority-harness.js';

const run = promisify(execFile);

let dir: string;
let ca: string;
/** Two certificates for 127.0.0.1 from the test CA: the first, and its renewal. */
const leaves: { cert: string; key: string; serial: string }[] = [];

async function issue(name: string): Promise<{ cert: string; key: string; serial: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', extensions]);
  const { stdout } = await run('openssl', ['x509', '-in', cert, '-noout', '-serial']);
  return { cert, key, serial: stdout.trim().replace(/^serial=/, '').toUpperCase() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-authority-tls-'));
  ca = join(dir, 'ca.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'),
    '-out', ca, '-days', '2', '-subj', '/CN=Gatehouse test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  leaves.push(await issue('authority-1'), await issue('authority-2'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface TlsAnswer {
  status: number;
  serial: string;
  protocol: string | null;
}

/** GET `path` trusting only the test CA, at most TLS `maxVersion`, on a fresh connection. */
async function get(url: string, path: string, maxVersion: SecureVersion = 'TLSv1.3'): Promise<TlsAnswer> {
  const trusted = await readFile(ca);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(`${url}${path}`, { ca: trusted, maxVersion, agent: false }, (response) => {
      const socket = response.socket as TLSSocket;
      const peer: PeerCertificate = socket.getPeerCertificate();
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, serial: peer.serialNumber.toUpperCase(), protocol: socket.getProtocol() }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the authority over TLS', () => {
  let h: Harness | undefined;
  let server: AuthorityServer | undefined;
  afterEach(async () => {
    await server?.close();
    await h?.close();
    server = undefined;
    h = undefined;
  });

  it('speaks TLS 1.2 or newer only and serves a renewed certificate after a reload', async () => {
    h = await startHarness();
    const credentials = async (leaf: { cert: string; key: string }) => ({ cert: await readFile(leaf.cert), key: await readFile(leaf.key) });
    server = await startAuthorityServer(h.authority, { port: 0, tls: await credentials(leaves[0]!) });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    expect(await get(server.url, apiPaths.health)).toMatchObject({ status: 200, serial: leaves[0]!.serial, protocol: 'TLSv1.3' });
    expect(await get(server.url, '/v1/ready', 'TLSv1.2')).toMatchObject({ status: 200, protocol: 'TLSv1.2' });
    await expect(get(server.url, apiPaths.health, 'TLSv1.1')).rejects.toThrow();

    server.reloadTls(await credentials(leaves[1]!));
    expect(await get(server.url, apiPaths.health)).toMatchObject({ status: 200, serial: leaves[1]!.serial });
  });

  it('is trusted by a kiosk\'s fetch given the CA in NODE_EXTRA_CA_CERTS, and not without it', async () => {
    h = await startHarness();
    server = await startAuthorityServer(h.authority, { port: 0, tls: { cert: await readFile(leaves[0]!.cert), key: await readFile(leaves[0]!.key) } });
    const probe = 'fetch(process.argv[1]).then((r) => console.log(r.status), (e) => console.log(e.cause?.code ?? e.message))';
    const fetchWith = async (env: Record<string, string>) =>
      (await run(process.execPath, ['-e', probe, `${server!.url}${apiPaths.health}`], { env: { PATH: process.env.PATH, ...env } })).stdout.trim();
    expect(await fetchWith({ NODE_EXTRA_CA_CERTS: ca })).toBe('200');
    expect(await fetchWith({})).toMatch(/CERT|SIGNATURE/);
  });
});

describe('gatehouse-authority serve, operated', () => {
  let data: string;
  let runs = 0;
  const saved = { ...process.env };
  beforeEach(() => {
    data = join(dir, `data-${++runs}`);
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('GATEHOUSE_AUTHORITY_')) delete process.env[name];
    Object.assign(process.env, saved);
  });

  async function cli(args: string[], io: { onReload?: (reload: () => void) => () => void; stopWhen?: (out: string) => Promise<void> } = {}) {
    let out = '';
    let err = '';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const code = await main(['node', 'gatehouse-authority', '--data', data, ...args], {
      out(text) {
        out += text;
        const ready = /^ready (\S+)$/m.exec(out);
        if (ready && io.stopWhen) void io.stopWhen(ready[1]!).then(stop);
      },
      err: (text) => void (err += text),
      untilStopped: () => stopped,
      onReload: io.onReload,
    });
    return { code, out, err };
  }

  it('serves HTTPS from --tls-cert and --tls-key, rereads them on reload, logs each request and its drain', async () => {
    expect((await cli(['keys', 'init'])).code).toBe(0);
    let reload: (() => void) | undefined;
    const served = await cli(['serve', '--port', '0', '--tls-cert', leaves[0]!.cert, '--tls-key', leaves[0]!.key, '--pool-size', '3'], {
      onReload: (listener) => {
        reload = listener;
        return () => (reload = undefined);
      },
      async stopWhen(url) {
        expect(await get(url, apiPaths.health)).toMatchObject({ status: 200, serial: leaves[0]!.serial });
        await writeFile(leaves[0]!.cert, await readFile(leaves[1]!.cert));
        await writeFile(leaves[0]!.key, await readFile(leaves[1]!.key));
        reload!();
        // The reload reads the files in the background; a new connection shows when it is done.
        while ((await get(url, apiPaths.health)).serial !== leaves[1]!.serial) await new Promise((resolve) => setTimeout(resolve, 10));
      },
    });
    expect(served.code).toBe(0);
    expect(served.out).toMatch(/^ready https:\/\/127\.0\.0\.1:\d+\n$/);
    const lines = served.err.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.event === 'request').length).toBeGreaterThanOrEqual(2);
    expect(lines.find((line) => line.event === 'request')).toMatchObject({ method: 'GET', route: apiPaths.health, status: 200, kioskId: null });
    expect(lines.map((line) => line.event)).toEqual(expect.arrayContaining(['tls-reloaded', 'draining']));
    expect(reload).toBeUndefined();
  });

  it('reads every setting authority.conf offers (each given wrongly stops it)', async () => {
    expect((await cli(['keys', 'init'])).code).toBe(0);
    const conf = await readFile(join(projectRoot, 'resources', 'gatehouse-authority.conf'), 'utf8');
    const names = [...conf.matchAll(/^#?(GATEHOUSE_AUTHORITY_\w+)=/gm)].map((match) => match[1]!)
      .filter((name) => !['GATEHOUSE_AUTHORITY_HOST', 'GATEHOUSE_AUTHORITY_PORT'].includes(name)); // the unit passes these as options
    expect(names).toEqual(expect.arrayContaining(['GATEHOUSE_AUTHORITY_TLS_CERT', 'GATEHOUSE_AUTHORITY_POOL_SIZE', 'GATEHOUSE_AUTHORITY_DRAIN_TIMEOUT_MS']));
    for (const name of names) {
      process.env[name] = 'not-a-value';
      const run = await cli(['serve', '--port', '0'], { stopWhen: async () => {} });
      expect(run.code, `${name}: ${run.err}`).toBe(2);
      delete process.env[name];
    }
  });

  it.each([
    [['serve', '--pool-size', 'lots'], {}, 'CLI_INVALID_OPTIONS'],
    [['serve'], { GATEHOUSE_AUTHORITY_STATEMENT_TIMEOUT_MS: '-5' }, 'CLI_INVALID_OPTIONS'],
    [['serve'], { GATEHOUSE_AUTHORITY_DRAIN_TIMEOUT_MS: '1e3' }, 'CLI_INVALID_OPTIONS'],
    [['serve', '--registration-attempts', '0'], {}, 'CLI_INVALID_OPTIONS'],
    [['serve', '--tls-cert', '/nonexistent.pem'], {}, 'CLI_INVALID_OPTIONS'],
    [['serve', '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'], {}, 'TLS_FILES_UNREADABLE'],
    [['serve'], { GATEHOUSE_AUTHORITY_TLS_CERT: 'CA', GATEHOUSE_AUTHORITY_TLS_KEY: 'CA' }, 'TLS_FILES_INVALID'],
  ])('refuses %j with %j: %s', async (args, env, code) => {
    const resolved = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === 'CA' ? ca : value]));
    Object.assign(process.env, resolved);
    const refused = await cli(args);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`^gatehouse-authority: .+ \\(${code}\\)\n$`));
  });
});
