// R30xDriver against a scripted fake module: exact command bytes, confirmation codes
// as typed errors, one command in flight, timeouts, and the data phases.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TransportBase } from '../../../../native/transport/transport-base.js';
import { R30xDriver } from '../../../../native/fingerprint/r30x-driver.js';
import {
  encodeR30xPacket, R30xPacketDecoder, R30xPid, type R30xPacket,
} from '../../../../native/fingerprint/r30x-packet.js';
import {
  encodeSystemParameters, R30X_CHAR_BUFFER_BYTES, R30X_IMAGE_BYTES, R30xConfirmation,
} from '../../../../native/fingerprint/r30x-protocol.js';

const ADDRESS = 0xffffffff;

/** Answers each command packet with whatever the script returns (byte chunks, in order). */
class ScriptedModule extends TransportBase {
  readonly description = 'scripted R30x';
  readonly commands: R30xPacket[] = [];
  readonly dataPackets: R30xPacket[] = [];
  readonly writes: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly decoder = new R30xPacketDecoder();

  constructor(private readonly script: (command: R30xPacket) => Uint8Array[]) {
    super();
    this.markOpen();
  }

  async open(): Promise<void> { this.markOpen(); }
  async close(): Promise<void> { this.markClosed(); }

  async write(data: Uint8Array): Promise<void> {
    this.writes.push(Buffer.from(data).toString('hex'));
    for (const item of this.decoder.push(data)) {
      if (item.kind !== 'packet') throw item.error;
      if (item.packet.pid !== R30xPid.Command) {
        this.dataPackets.push(item.packet);
        continue;
      }
      this.commands.push(item.packet);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const reply = this.script(item.packet);
      setImmediate(() => {
        this.inFlight--;
        for (const chunk of reply) this.emit('data', chunk);
      });
    }
  }
}

const ack = (code: number, ...data: number[]) =>
  encodeR30xPacket({ address: ADDRESS, pid: R30xPid.Ack, payload: Uint8Array.of(code, ...data) });

const sysPara = (packetSize: number) => ack(0, ...encodeSystemParameters({
  statusRegister: 0b0100, systemId: 9, capacity: 300, securityLevel: 3, address: ADDRESS, packetSize, baud: 57600,
}));

function dataPhase(bytes: Uint8Array, packetSize: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += packetSize) {
    const last = offset + packetSize >= bytes.length;
    packets.push(encodeR30xPacket({
      address: ADDRESS, pid: last ? R30xPid.EndData : R30xPid.Data, payload: bytes.subarray(offset, offset + packetSize),
    }));
  }
  return packets;
}

/** Re-cuts a byte stream into pieces at the given points. */
function recut(chunks: Uint8Array[], cuts: number[]): Uint8Array[] {
  const stream = Buffer.concat(chunks);
  const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
  return [...points, stream.length].map((end, i, all) => stream.subarray(i === 0 ? 0 : all[i - 1], end))
    .filter((piece) => piece.length > 0);
}

const instruction = (packet: R30xPacket) => packet.payload[0];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('R30xDriver', () => {
  it('sends GenImg and VfyPwd byte for byte as the datasheet shows', async () => {
    const module = new ScriptedModule(() => [ack(0)]);
    const driver = new R30xDriver(module);
    await driver.genImg();
    await driver.vfyPwd();
    expect(module.writes).toEqual([
      'ef01ffffffff010003010005',
      'ef01ffffffff0100071300000000001b',
    ]);
  });

  it('uses the configured address and password', async () => {
    const address = 0x12345678;
    const module = new ScriptedModule(() => [encodeR30xPacket({ address, pid: R30xPid.Ack, payload: Uint8Array.of(0) })]);
    await new R30xDriver(module, { address, password: 0xcafe0001 }).vfyPwd();
    expect(module.commands[0]?.address).toBe(address);
    expect(hex(module.commands[0]!.payload)).toBe('13cafe0001');
  });

  it('turns every non-zero confirmation code into a typed error an officer can act on', async () => {
    const codes = Object.values(R30xConfirmation);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 0xff }), async (code) => {
      const driver = new R30xDriver(new ScriptedModule(() => [ack(code)]));
      const error = await driver.regModel().then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ name: 'DeviceError', details: { instruction: 'RegModel', device: 'scripted R30x' } });
      const { code: errorCode, message } = error as { code: string; message: string };
      expect(errorCode).toMatch(/^R30X_/);
      expect(errorCode === 'R30X_UNKNOWN_CONFIRMATION').toBe(!codes.includes(code as never));
      expect(message.length).toBeGreaterThan(20);
    }), { numRuns: 60 });
  });

  it('says "no finger on the sensor" when GenImg finds none', async () => {
    const driver = new R30xDriver(new ScriptedModule(() => [ack(R30xConfirmation.NoFinger)]));
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_NO_FINGER', message: expect.stringMatching(/no finger on the sensor/i) });
  });

  it('keeps one command in flight and answers callers in order', async () => {
    const module = new ScriptedModule((c) => [ack(0, 0, instruction(c) === 0x1d ? 7 : 0)]);
    const driver = new R30xDriver(module);
    const results = await Promise.all([driver.genImg(), driver.templateNum(), driver.img2Tz(1), driver.templateNum()]);
    expect(results).toEqual([undefined, 7, undefined, 7]);
    expect(module.maxInFlight).toBe(1);
    expect(module.commands.map(instruction)).toEqual([0x01, 0x1d, 0x02, 0x1d]);
  });

  it('times out with a typed error when the module stays silent, then carries on', async () => {
    let silent = true;
    const module = new ScriptedModule(() => (silent ? [] : [ack(0)]));
    const driver = new R30xDriver(module, { timeoutsMs: { GenImg: 30 } });
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_TIMEOUT', details: { instruction: 'GenImg' } });
    silent = false;
    await expect(driver.genImg()).resolves.toBeUndefined();
  });

  it('ignores replies from other addresses', async () => {
    const other = encodeR30xPacket({ address: 1, pid: R30xPid.Ack, payload: Uint8Array.of(0x02) });
    const driver = new R30xDriver(new ScriptedModule(() => [other, ack(0)]));
    await expect(driver.genImg()).resolves.toBeUndefined();
  });

  it('reports a garbled acknowledge as a checksum error', async () => {
    const garbled = ack(0);
    garbled[garbled.length - 1]! ^= 0x40;
    const driver = new R30xDriver(new ScriptedModule(() => [garbled]));
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_BAD_CHECKSUM', details: { instruction: 'GenImg' } });
  });

  it('fails the command in flight when the link closes', async () => {
    const module = new ScriptedModule(() => []);
    const driver = new R30xDriver(module);
    const pending = driver.genImg();
    setImmediate(() => void module.close());
    await expect(pending).rejects.toMatchObject({ code: 'R30X_LINK_CLOSED' });
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_LINK_CLOSED' });
  });

  it('decodes ReadSysPara and keeps SetSysPara changes', async () => {
    const module = new ScriptedModule((c) => [instruction(c) === 0x0f ? sysPara(128) : ack(0)]);
    const driver = new R30xDriver(module);
    expect(await driver.readSysPara()).toEqual({
      statusRegister: 4,
      status: { busy: false, matched: false, passwordVerified: true, imageBufferValid: false },
      systemId: 9, capacity: 300, securityLevel: 3, address: ADDRESS, packetSize: 128, baud: 57600,
    });
    await driver.setSysPara('packetSize', 64);
    await driver.setSysPara('baud', 115200);
    expect(hex(module.commands[1]!.payload)).toBe('0e0601');
    expect(hex(module.commands[2]!.payload)).toBe('0e040c');
    expect(driver.systemParameters).toMatchObject({ packetSize: 64, baud: 115200 });
    await expect(driver.setSysPara('securityLevel', 9)).rejects.toMatchObject({ code: 'R30X_BAD_SETTING' });
  });

  it('reads Search, Match and ReadConList return values', async () => {
    const module = new ScriptedModule((c) => {
      switch (instruction(c)) {
        case 0x04: return [c.payload[2] === 0 ? ack(0, 0, 42, 0, 180) : ack(R30xConfirmation.NotFound)];
        case 0x03: return [ack(R30xConfirmation.NoMatch, 0, 3)];
        default: return [ack(0, 0b0000_0101, ...new Array<number>(30).fill(0), 0b1000_0000)];
      }
    });
    const driver = new R30xDriver(module);
    expect(await driver.search(1, 0, 300)).toEqual({ found: true, page: 42, score: 180 });
    expect(await driver.search(1, 256, 44)).toEqual({ found: false });
    expect(await driver.match()).toEqual({ matched: false, score: 3 });
    expect((await driver.readConList(1)).usedSlots).toEqual([256, 258, 511]);
    expect(hex(module.commands[0]!.payload)).toBe('04' + '01' + '0000' + '012c');
  });

  it('assembles UpImage from packets of the reported size, however the line splits them', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(32, 64, 128, 256), fc.array(fc.nat(), { maxLength: 30 }), async (packetSize, cuts) => {
      const image = Uint8Array.from({ length: R30X_IMAGE_BYTES }, (_, i) => (i * 7 + packetSize) & 0xff);
      const module = new ScriptedModule((c) => (instruction(c) === 0x0f ? [sysPara(packetSize)]
        : recut([ack(0), ...dataPhase(image, packetSize)], cuts)));
      const progress: number[] = [];
      const received = await new R30xDriver(module).upImage(({ bytes, total }) => {
        expect(total).toBe(R30X_IMAGE_BYTES);
        progress.push(bytes);
      });
      expect(Buffer.from(received).equals(Buffer.from(image))).toBe(true);
      expect(progress).toHaveLength(R30X_IMAGE_BYTES / packetSize);
      expect(progress.at(-1)).toBe(R30X_IMAGE_BYTES);
    }), { numRuns: 12 });
  });

  it('rejects a data phase of the wrong size, and one with a damaged packet, then works again', async () => {
    const template = new Uint8Array(R30X_CHAR_BUFFER_BYTES).fill(0x5a);
    let reply: Uint8Array[] = [];
    const module = new ScriptedModule((c) => (instruction(c) === 0x0f ? [sysPara(128)] : reply));
    const driver = new R30xDriver(module);

    reply = [ack(0), ...dataPhase(template.subarray(0, 384), 128)];
    await expect(driver.upChar(1)).rejects.toMatchObject({ code: 'R30X_BAD_DATA_LENGTH' });

    const damaged = dataPhase(template, 128);
    damaged[1]![20]! ^= 0xff;
    reply = [ack(0), ...damaged];
    await expect(driver.upChar(1)).rejects.toMatchObject({ code: 'R30X_BAD_CHECKSUM', details: { instruction: 'UpChar' } });

    reply = [ack(0), ...dataPhase(template, 128)];
    expect(Buffer.from(await driver.upChar(2)).equals(Buffer.from(template))).toBe(true);
  });

  it('sends DownChar data in packets of the reported size, the last one marked end of data', async () => {
    const module = new ScriptedModule((c) => [instruction(c) === 0x0f ? sysPara(64) : ack(0)]);
    const driver = new R30xDriver(module);
    const template = Uint8Array.from({ length: R30X_CHAR_BUFFER_BYTES }, (_, i) => i & 0xff);
    const progress: number[] = [];
    await driver.downChar(2, template, ({ bytes }) => progress.push(bytes));
    expect(hex(module.commands.at(-1)!.payload)).toBe('0902');
    expect(module.dataPackets.map((p) => p.pid)).toEqual([...new Array<number>(7).fill(R30xPid.Data), R30xPid.EndData]);
    expect(Buffer.concat(module.dataPackets.map((p) => p.payload)).equals(Buffer.from(template))).toBe(true);
    expect(progress).toEqual([64, 128, 192, 256, 320, 384, 448, 512]);
    await expect(driver.downChar(1, new Uint8Array(10))).rejects.toMatchObject({ code: 'R30X_BAD_TEMPLATE' });
  });
});
