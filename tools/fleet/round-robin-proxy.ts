// A load balancer for the authority benchmark and the two-replica test: each request goes to the
// next replica in turn, over kept-alive connections, and the time from its first byte in to its
// last byte out is noted by method and path, so the benchmark reports latency as kiosks saw it.

import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Milliseconds per request of `method` whose path matches, in arrival order. */
  latencies(method: string, path: RegExp): number[];
  resetLatencies(): void;
  close(): Promise<void>;
}

interface Timed {
  method: string;
  path: string;
  ms: number;
}

export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  let timed: Timed[] = [];
  const server = createServer((incoming, outgoing) => {
    const started = process.hrtime.bigint();
    const target = new URL(incoming.url ?? '/', targets[next++ % targets.length]);
    const upstream = request(target, { method: incoming.method, headers: { ...incoming.headers, host: target.host }, agent }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end('replica unreachable');
    });
    outgoing.on('finish', () => {
      timed.push({ method: incoming.method ?? '', path: target.pathname, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    latencies: (method, path) => timed.filter((t) => t.method === method && path.test(t.path)).map((t) => t.ms),
    resetLatencies: () => { timed = []; },
    close: () => new Promise((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
