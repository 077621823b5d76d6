// The reachability probe counts the authority as there only when the authority itself
// answers: a captive portal's page or another server's 200 is "unreachable", not online.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorityClient } from '../../../../main/sync/authority-client.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

let authority: Harness;
let portal: Server;
let portalUrl: string;

beforeAll(async () => {
  authority = await startHarness();
  portal = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"status":"ok","login":"https://portal.example/"}');
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
});
afterAll(async () => {
  portal?.close();
  await authority?.close();
});

describe('AuthorityClient.probe', () => {
  it('succeeds against the authority', async () => {
    await expect(new AuthorityClient({ baseUrl: authority.url }).probe()).resolves.toBeUndefined();
  });

  it('calls a server that answers 200 with something else unreachable', async () => {
    await expect(new AuthorityClient({ baseUrl: portalUrl }).probe()).rejects.toMatchObject({ code: 'AUTHORITY_UNREACHABLE' });
  });

  it('calls a closed port unreachable', async () => {
    await expect(new AuthorityClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 }).probe())
      .rejects.toMatchObject({ code: 'AUTHORITY_UNREACHABLE' });
  });
});
