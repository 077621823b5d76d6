// A TCP proxy between the kiosk and the authority that understands just enough HTTP/1.1
// (request and response heads, Content-Length bodies) to inject one fault per request:
// connection resets, stalls, a request cut in half, responses dropped after the authority
// committed, 5xx answers and 429 with Retry-After. Faults are chosen by a plan per request;
// the proxy counts what it did so a test can show every fault really happened.

import net from 'node:net';

export type Fault =
  /** The connection is reset when the request arrives; the authority sees nothing. */
  | { kind: 'reset' }
  /** The request is held and never answered; the kiosk's timeout ends it. */
  | { kind: 'stall' }
  /** Half the request body reaches the authority, then both connections are cut. */
  | { kind: 'cut-request' }
  /** The authority handles the request (and commits); its answer is thrown away and the connection cut. */
  | { kind: 'drop-response' }
  /** The proxy answers with a server error instead of the authority. */
  | { kind: 'server-error'; status: 500 | 502 | 503 }
  /** The proxy answers 429 with Retry-After instead of the authority. */
  | { kind: 'throttle'; retryAfterSeconds: number }
  /** The request passes after a pause (a slow link). */
  | { kind: 'delay'; ms: number };

export type FaultKind = Fault['kind'];

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Requests seen so far, this one included. */
  index: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The request exactly as it crossed the proxy (head and body). */
  raw: Buffer;
}

export interface FaultProxy {
  url: string;
  /** What the proxy did, per fault kind, plus requests passed through untouched. */
  readonly counts: Record<FaultKind | 'passed', number>;
  /** Requests passed through, when started with `record: true`. */
  readonly recorded: RecordedRequest[];
  /** Chooses the fault for each request; undefined passes it through. */
  plan: (request: ProxiedRequest) => Fault | undefined;
  /** While down, every connection is reset at its next request (the authority looks unreachable). */
  down: boolean;
  close(): Promise<void>;
}

interface Head {
  headEnd: number;
  firstLine: string;
  contentLength: number;
}

function parseHead(buffer: Buffer): Head | null {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const lines = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  let contentLength = 0;
  for (const line of lines.slice(1)) {
    const [name, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (name!.toLowerCase() === 'content-length') contentLength = Number(value);
    if (name!.toLowerCase() === 'transfer-encoding') throw new Error(`the fault proxy handles Content-Length bodies only, not ${value}`);
  }
  return { headEnd: headEnd + 4, firstLine: lines[0]!, contentLength };
}

/** Takes one whole message (head and body) off the front of `pending`, or null if it has not all arrived. */
function takeMessage(pending: { buffer: Buffer }): { raw: Buffer; head: Head } | null {
  const head = parseHead(pending.buffer);
  if (head === null || pending.buffer.length < head.headEnd + head.contentLength) return null;
  const raw = pending.buffer.subarray(0, head.headEnd + head.contentLength);
  pending.buffer = pending.buffer.subarray(raw.length);
  return { raw: Buffer.from(raw), head };
}

function cannedAnswer(status: number, reason: string, headers: Record<string, string>, body: object): Buffer {
  const json = JSON.stringify(body);
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(json)}`, 'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${json}`);
}

export async function startFaultProxy(upstreamUrl: string, options: { record?: boolean } = {}): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<net.Socket>();
  let seen = 0;
  const proxy: FaultProxy = {
    url: '',
    counts: { passed: 0, reset: 0, stall: 0, 'cut-request': 0, 'drop-response': 0, 'server-error': 0, throttle: 0, delay: 0 },
    recorded: [],
    plan: () => undefined,
    down: false,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };

  const server = net.createServer((client) => {
    track(client);
    if (proxy.down) {
      client.resetAndDestroy();
      return;
    }
    const authority = track(net.connect(Number(upstream.port), upstream.hostname));
    const fromClient = { buffer: Buffer.alloc(0) };
    const fromServer = { buffer: Buffer.alloc(0) };
    let awaiting: ((answer: Buffer) => void) | null = null;
    let busy = false;
    const closeBoth = () => {
      client.destroy();
      authority.destroy();
    };
    client.on('close', () => authority.destroy());
    authority.on('close', () => client.destroy());
    authority.on('data', (chunk) => {
      fromServer.buffer = Buffer.concat([fromServer.buffer, chunk]);
      const answer = takeMessage(fromServer);
      if (answer && awaiting) {
        const deliver = awaiting;
        awaiting = null;
        deliver(answer.raw);
      }
    });
    const next = () => {
      if (busy) return;
      const request = takeMessage(fromClient);
      if (request === null) return;
      busy = true;
      if (proxy.down) {
        client.resetAndDestroy();
        authority.destroy();
        return;
      }
      const [method = '', path = ''] = request.head.firstLine.split(' ');
      const fault = proxy.plan({ method, path, index: ++seen });
      const forwardAndThen = (then: (answer: Buffer) => void) => {
        awaiting = then;
        authority.write(request.raw);
      };
      const pass = () => {
        if (options.record) proxy.recorded.push({ method, path, raw: request.raw });
        forwardAndThen((answer) => {
          client.write(answer);
          busy = false;
          next();
        });
      };
      switch (fault?.kind) {
        case undefined:
          proxy.counts.passed += 1;
          pass();
          return;
        case 'delay':
          proxy.counts.delay += 1;
          setTimeout(pass, fault.ms);
          return;
        case 'reset':
          proxy.counts.reset += 1;
          client.resetAndDestroy();
          authority.destroy();
          return;
        case 'stall':
          proxy.counts.stall += 1;
          return; // the client gives up and closes; 'close' then ends the upstream side
        case 'cut-request':
          proxy.counts['cut-request'] += 1;
          authority.write(request.raw.subarray(0, request.head.headEnd + (request.head.contentLength >> 1)), closeBoth);
          return;
        case 'drop-response':
          proxy.counts['drop-response'] += 1;
          forwardAndThen(closeBoth);
          return;
        case 'server-error':
          proxy.counts['server-error'] += 1;
          client.end(cannedAnswer(fault.status, 'Server Error', {}, { code: 'PROXY_FAULT', message: 'Injected server error.', details: {} }));
          return;
        case 'throttle':
          proxy.counts.throttle += 1;
          client.end(cannedAnswer(429, 'Too Many Requests', { 'retry-after': String(fault.retryAfterSeconds) },
            { code: 'RATE_LIMITED', message: 'Injected rate limit.', details: {} }));
          return;
      }
    };
    client.on('data', (chunk) => {
      fromClient.buffer = Buffer.concat([fromClient.buffer, chunk]);
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return proxy;
}
