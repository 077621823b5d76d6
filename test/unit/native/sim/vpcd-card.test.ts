import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VpcdCardEmulator, type VirtualCard } from '../../../../native/sim/vpcd-card.js';
import { encodeVpcdFrame, VpcdFrameDecoder } from '../../../../native/sim/vpcd-framing.js';

const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** vpcd's side of one connection: sends requests, reads the emulator's answers. */
class VpcdPeer {
  readonly #decoder = new VpcdFrameDecoder();
  readonly #answers: Uint8Array[] = [];
  readonly #waiting: Array<(answer: Uint8Array) => void> = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const answer of this.#decoder.push(chunk)) {
        const waiter = this.#waiting.shift();
        if (waiter) waiter(answer);
        else this.#answers.push(answer);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  send(...payloads: Uint8Array[]): void {
    this.socket.write(Buffer.concat(payloads.map(encodeVpcdFrame)));
  }

  answer(): Promise<Uint8Array> {
    const ready = this.#answers.shift();
    return ready ? Promise.resolve(ready) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  get unread(): number {
    return this.#answers.length;
  }
}

interface FakeVpcd {
  readonly port: number;
  readonly connections: VpcdPeer[];
  nextConnection(): Promise<VpcdPeer>;
}

const servers: Server[] = [];
const emulators: VpcdCardEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.remove()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function fakeVpcd(): Promise<FakeVpcd> {
  const server = createServer();
  servers.push(server);
  const connections: VpcdPeer[] = [];
  server.on('connection', (socket) => {
    connections.push(new VpcdPeer(socket));
    server.emit('peer');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    connections,
    async nextConnection() {
      const count = connections.length;
      while (connections.length === count) await once(server, 'peer');
      return connections[count] as VpcdPeer;
    },
  };
}

function emulatorFor(vpcd: FakeVpcd): VpcdCardEmulator {
  const emulator = new VpcdCardEmulator({ port: vpcd.port });
  emulators.push(emulator);
  return emulator;
}

/** Records what vpcd asked of it; answers 90 00 with the command's INS in front. */
class RecordingCard implements VirtualCard {
  readonly atr = bytes('3b 80 80 01 01');
  readonly calls: string[] = [];
  powerOn(): void { this.calls.push('power-on'); }
  powerOff(): void { this.calls.push('power-off'); }
  reset(): void { this.calls.push('reset'); }
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    this.calls.push(`apdu ${hex(apdu)}`);
    return Uint8Array.of(apdu[1] as number, 0x90, 0x00);
  }
}

async function inserted(vpcd: FakeVpcd, card: VirtualCard): Promise<{ emulator: VpcdCardEmulator; peer: VpcdPeer }> {
  const emulator = emulatorFor(vpcd);
  const connection = vpcd.nextConnection();
  await emulator.insert(card);
  return { emulator, peer: await connection };
}

describe('VpcdCardEmulator', () => {
  it('answers ATR requests, hands power events to the card, and answers APDUs in order', async () => {
    const vpcd = await fakeVpcd();
    const card = new RecordingCard();
    const { emulator, peer } = await inserted(vpcd, card);
    expect(emulator.inserted).toBe(true);
    expect(emulator.card).toBe(card);
    peer.send(Uint8Array.of(0x04));
    expect(hex(await peer.answer())).toBe('3b80800101');
    peer.send(Uint8Array.of(0x01), Uint8Array.of(0x02), bytes('00 a4 04 0c 02 3f 00'), Uint8Array.of(0x00), bytes('00 b0 00 00 00'));
    expect(hex(await peer.answer())).toBe('a49000');
    expect(hex(await peer.answer())).toBe('b09000');
    expect(card.calls).toEqual(['power-on', 'reset', 'apdu 00a4040c023f00', 'power-off', 'apdu 00b0000000']);
    expect(peer.unread).toBe(0);
  });

  it('keeps answers in request order when the card takes its time', async () => {
    const vpcd = await fakeVpcd();
    const slow: VirtualCard = {
      atr: bytes('3b 02 14 50'),
      transmit: (apdu) => new Promise((resolve) => setTimeout(() => resolve(Uint8Array.of(apdu[1] as number, 0x90, 0x00)), apdu[1] === 1 ? 20 : 0)),
    };
    const { peer } = await inserted(vpcd, slow);
    peer.send(bytes('00 01 00 00'), bytes('00 02 00 00'), Uint8Array.of(0x04));
    expect([hex(await peer.answer()), hex(await peer.answer()), hex(await peer.answer())]).toEqual(['019000', '029000', '3b021450']);
  });

  it('answers 6F 00 and reports it when the card throws or answers more than a vpcd frame holds', async () => {
    const vpcd = await fakeVpcd();
    const faulty: VirtualCard = {
      atr: bytes('3b 02 14 50'),
      transmit: (apdu) => {
        if (apdu[1] === 0xb0) return new Uint8Array(70_000);
        throw new Error('the card code is broken');
      },
    };
    const { emulator, peer } = await inserted(vpcd, faulty);
    const errors: Error[] = [];
    emulator.on('error', (error) => errors.push(error));
    peer.send(bytes('00 84 00 00 08'));
    expect(hex(await peer.answer())).toBe('6f00');
    peer.send(bytes('00 b0 00 00 00 00 00'));
    expect(hex(await peer.answer())).toBe('6f00');
    expect(errors.map((error) => (error as { code?: string }).code ?? error.message))
      .toEqual(['the card code is broken', 'VPCD_FRAME_TOO_LONG']);
  });

  it('reports an unknown control code and does not answer it', async () => {
    const vpcd = await fakeVpcd();
    const { emulator, peer } = await inserted(vpcd, new RecordingCard());
    const reported = once(emulator, 'error');
    peer.send(Uint8Array.of(0x07), Uint8Array.of(0x04));
    expect(hex(await peer.answer())).toBe('3b80800101');
    expect((await reported)[0]).toMatchObject({ code: 'VPCD_UNKNOWN_CONTROL', details: { code: 7 } });
  });

  it('removes the card by disconnecting, and inserts it again by connecting', async () => {
    const vpcd = await fakeVpcd();
    const card = new RecordingCard();
    const { emulator, peer } = await inserted(vpcd, card);
    await emulator.remove();
    await peer.closed;
    expect(emulator.inserted).toBe(false);
    await emulator.remove();
    const again = vpcd.nextConnection();
    await emulator.insert(card);
    const second = await again;
    second.send(Uint8Array.of(0x04));
    expect(hex(await second.answer())).toBe('3b80800101');
  });

  it('drops the answer of a card pulled while it was still working on an APDU', async () => {
    const vpcd = await fakeVpcd();
    let finish!: (answer: Uint8Array) => void;
    const pondering: VirtualCard = { atr: bytes('3b 02 14 50'), transmit: () => new Promise((resolve) => { finish = resolve; }) };
    const { emulator, peer } = await inserted(vpcd, pondering);
    const errors: Error[] = [];
    emulator.on('error', (error) => errors.push(error));
    peer.send(bytes('00 84 00 00 08'));
    while (!finish) await new Promise((resolve) => setImmediate(resolve));
    await emulator.remove();
    finish(bytes('9000'));
    await peer.closed;
    expect(peer.unread).toBe(0);
    expect(errors).toEqual([]);
  });

  it('takes out a card that pulls itself out mid-APDU: no answer, no error, vpcd sees the connection close', async () => {
    const vpcd = await fakeVpcd();
    let pulled!: () => void;
    const leaving: VirtualCard = {
      atr: bytes('3b 80 80 01 01'),
      removed: new Promise((resolve) => { pulled = resolve; }),
      transmit: async (apdu) => {
        if (apdu[1] !== 0xb0) return bytes('9000');
        pulled();
        throw new Error('the card left the reader');
      },
    };
    const { emulator, peer } = await inserted(vpcd, leaving);
    const errors: Error[] = [];
    emulator.on('error', (error) => errors.push(error));
    peer.send(bytes('00 a4 04 0c 02 3f 00'));
    expect(hex(await peer.answer())).toBe('9000');
    peer.send(bytes('00 b0 00 00 00'));
    await peer.closed;
    expect(peer.unread).toBe(0);
    expect(emulator.inserted).toBe(false);
    expect(errors).toEqual([]);
  });

  it('reports vpcd hanging up as the card being out, without reconnecting by itself', async () => {
    const vpcd = await fakeVpcd();
    const { emulator, peer } = await inserted(vpcd, new RecordingCard());
    const disconnected = once(emulator, 'disconnected');
    peer.socket.destroy();
    expect((await disconnected)[0]).toBe('vpcd closed the connection');
    expect(emulator.inserted).toBe(false);
    expect(emulator.card).toBeUndefined();
    expect(vpcd.connections).toHaveLength(1);
  });

  it('refuses a second card, and says where it looked for an unreachable vpcd', async () => {
    const vpcd = await fakeVpcd();
    const { emulator } = await inserted(vpcd, new RecordingCard());
    await expect(emulator.insert(new RecordingCard())).rejects.toMatchObject({ code: 'VPCD_CARD_PRESENT' });
    const nobody = createServer().listen(0, '127.0.0.1');
    await once(nobody, 'listening');
    const port = (nobody.address() as { port: number }).port;
    await new Promise((resolve) => nobody.close(resolve));
    const lonely = new VpcdCardEmulator({ port });
    await expect(lonely.insert(new RecordingCard())).rejects.toMatchObject({
      code: 'VPCD_CONNECT_FAILED', message: expect.stringContaining(`127.0.0.1:${port}`), details: { port },
    });
    expect(lonely.inserted).toBe(false);
    expect(lonely.description).toBe(`vpcd card at 127.0.0.1:${port}`);
  });
});
