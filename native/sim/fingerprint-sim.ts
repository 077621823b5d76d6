// A simulated R30x / ZFM / AS608 fingerprint module on a Transport (normally the far end
// of a pty pair), byte-exact on the wire and paced like a real UART, so the driver and
// the kiosk cannot tell it from the hardware. Fingers are placed and lifted, and faults
// injected through FingerprintSimulatorControl (fingerprint-sim-control.ts, which also
// serves it on a socket for other processes). `startFingerprintSimulator` wires it to a pty.
//
// Behaviours chosen where modules differ: packets for another address are ignored (no
// reply, as on a shared bus); a packet with a bad checksum gets confirmation 0x01; an
// unknown instruction or missing parameters get 0x01; the library survives a power cycle
// (it is flash) but not `stop()`.

import { unlink } from 'node:fs/promises';
import { DeviceError } from '../device-error.js';
import type { Transport } from '../transport/transport.js';
import { packR30xImage } from '../fingerprint/finger-image.js';
import { encodeR30xPacket, R30X_DEFAULT_ADDRESS, R30xPacketDecoder, R30xPid, type R30xPacket } from '../fingerprint/r30x-packet.js';
import {
  encodeSystemParameters, R30X_BAUD_UNIT, R30X_CHAR_BUFFER_BYTES, R30X_OK, R30X_PACKET_SIZES,
  R30xConfirmation, R30xInstruction, R30xRegister,
} from '../fingerprint/r30x-protocol.js';
import {
  charBufferOf, mergeIntoTemplate, simulatedCharacterFile, simulatedMatchScore,
} from './fingerprint-sim-template.js';
import {
  serveFingerprintControl, type FingerprintFault, type FingerprintSimulatorControl, type FingerprintSimulatorStatus,
} from './fingerprint-sim-control.js';
import { openSimulatorPort } from './simulator-port.js';
import { renderSyntheticFinger } from './synthetic-finger.js';

export interface R30xModuleOptions {
  /** Line rate the module is paced at (default 57600; the in-memory tests use a faster, unreal one). */
  baud?: number;
  address?: number;
  /** 0 (default) means no VfyPwd is needed. */
  password?: number;
  capacity?: number;
  packetSize?: number;
  securityLevel?: number;
  /** Silence after power-up (default 500 ms). */
  bootDelayMs?: number;
  /** A finger (seed) that is on the sensor for every GenImg. */
  autoFinger?: number;
}

/** Match/Search/RegModel thresholds per security level 1–5. */
const MATCH_THRESHOLDS = [0, 30, 40, 50, 60, 70];
const SYSTEM_ID = 0x0009;
const INDEX_PAGE_SLOTS = 256;

interface Reply {
  code: number;
  data?: Iterable<number>;
  /** Bytes that follow the acknowledge as data packets. */
  dataPhase?: Uint8Array;
  /** Takes effect once the acknowledge is on the line (a new baud rate). */
  afterReply?: () => void;
}

export class R30xModuleSimulator implements FingerprintSimulatorControl {
  private baud: number;
  private packetSize: number;
  private securityLevel: number;
  private readonly address: number;
  private readonly password: number;
  private readonly capacity: number;
  private readonly bootDelayMs: number;
  private readonly decoder = new R30xPacketDecoder();
  private readonly incoming = new LineQueue();
  private readonly outgoing = new LineQueue();
  private readonly library = new Map<number, Uint8Array>();
  private readonly impressionsTaken = new Map<number, number>();
  private readonly autoFinger: number | undefined;
  private bootUntil = 0;
  private rxFreeAt = 0;
  private txFreeAt = 0;
  private passwordVerified = false;
  private finger: number | undefined;
  private image: { packed: Uint8Array; seed: number; impression: number } | undefined;
  private charBuffers = emptyCharBuffers();
  private download: { buffer: 0 | 1; chunks: Uint8Array[] } | undefined;
  private faults: FingerprintFault[] = [];
  private readonly onData = (chunk: Uint8Array) => this.receive(chunk);

  constructor(private readonly transport: Transport, options: R30xModuleOptions = {}) {
    this.baud = options.baud ?? 57_600;
    this.packetSize = options.packetSize ?? 128;
    this.securityLevel = options.securityLevel ?? 3;
    this.address = options.address ?? R30X_DEFAULT_ADDRESS;
    this.password = options.password ?? 0;
    this.capacity = options.capacity ?? 300;
    this.bootDelayMs = options.bootDelayMs ?? 500;
    this.finger = options.autoFinger;
    this.autoFinger = options.autoFinger;
    transport.on('data', this.onData);
    this.powerUp();
  }

  placeFinger(seed: number): void {
    this.finger = seed;
  }

  liftFinger(): void {
    this.finger = this.autoFinger;
  }

  injectFault(kind: FingerprintFault): void {
    this.faults.push(kind);
  }

  powerCycle(): void {
    this.powerUp();
  }

  get imageBuffer(): Uint8Array | undefined {
    return this.image?.packed;
  }

  status(): FingerprintSimulatorStatus {
    return {
      finger: this.finger ?? null,
      templates: this.library.size,
      baud: this.baud,
      packetSize: this.packetSize,
      securityLevel: this.securityLevel,
      pendingFaults: [...this.faults],
    };
  }

  /** Resolves once the module has finished booting and answers commands (after a power cycle too). */
  async booted(): Promise<void> {
    // Checked again after each wait: a timer may fire a millisecond before the clock says so.
    for (let wait = this.bootUntil - Date.now(); wait >= 0; wait = this.bootUntil - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait + 1));
    }
  }

  /** Stops answering and lets go of the transport (it stays open; its owner closes it). */
  detach(): void {
    this.cancelTimers();
    this.transport.off('data', this.onData);
  }

  private powerUp(): void {
    this.cancelTimers();
    this.decoder.reset();
    this.bootUntil = Date.now() + this.bootDelayMs;
    this.rxFreeAt = 0;
    this.txFreeAt = 0;
    this.passwordVerified = false;
    this.image = undefined;
    this.charBuffers = emptyCharBuffers();
    this.download = undefined;
  }

  private cancelTimers(): void {
    this.incoming.clear();
    this.outgoing.clear();
  }

  private airtimeMs(bytes: number): number {
    return (bytes * 10 * 1000) / this.baud;
  }

  /** Bytes reach the module one UART frame (10 bits) at a time; act on them when the last one is in. */
  private receive(chunk: Uint8Array): void {
    const now = Date.now();
    if (now < this.bootUntil) return;
    this.rxFreeAt = Math.max(now, this.rxFreeAt) + this.airtimeMs(chunk.length);
    const bytes = Uint8Array.from(chunk);
    this.incoming.push(this.rxFreeAt, () => {
      for (const item of this.decoder.push(bytes)) {
        if (item.kind === 'error') this.reply({ code: R30xConfirmation.ReceiveError });
        else if (item.packet.address === this.address) this.handle(item.packet);
      }
    });
  }

  private handle(packet: R30xPacket): void {
    if (packet.pid === R30xPid.Command) {
      this.download = undefined;
      if (this.takeFault('silence')) return;
      this.reply(this.execute(packet.payload));
      return;
    }
    if (!this.download || (packet.pid !== R30xPid.Data && packet.pid !== R30xPid.EndData)) return;
    this.download.chunks.push(packet.payload);
    if (packet.pid === R30xPid.EndData) {
      const received = Buffer.concat(this.download.chunks).subarray(0, R30X_CHAR_BUFFER_BYTES);
      const buffer = new Uint8Array(R30X_CHAR_BUFFER_BYTES);
      buffer.set(received);
      this.charBuffers[this.download.buffer] = buffer;
      this.download = undefined;
    }
  }

  private execute(payload: Uint8Array): Reply {
    const [instruction] = payload;
    const params = payload.subarray(1);
    const need = (count: number) => params.length >= count;
    const u16 = (offset: number) => (params[offset]! << 8) | params[offset + 1]!;
    const buffer = params[0] === 1 ? 0 : params[0] === 2 ? 1 : undefined;
    if (instruction === R30xInstruction.VfyPwd) {
      if (!need(4)) return fail(R30xConfirmation.ReceiveError);
      this.passwordVerified = new DataView(params.buffer, params.byteOffset).getUint32(0) === this.password;
      return fail(this.passwordVerified ? R30X_OK : R30xConfirmation.WrongPassword);
    }
    if (this.password !== 0 && !this.passwordVerified) return fail(R30xConfirmation.PasswordRequired);
    switch (instruction) {
      case R30xInstruction.ReadSysPara:
        return ok(encodeSystemParameters({
          statusRegister: (this.passwordVerified ? 0b0100 : 0) | (this.image ? 0b1000 : 0),
          systemId: SYSTEM_ID,
          capacity: this.capacity,
          securityLevel: this.securityLevel,
          address: this.address,
          packetSize: this.packetSize,
          baud: this.baud,
        }));
      case R30xInstruction.SetSysPara:
        return need(2) ? this.setSysPara(params[0]!, params[1]!) : fail(R30xConfirmation.ReceiveError);
      case R30xInstruction.GenImg:
        return this.genImg();
      case R30xInstruction.Img2Tz:
        return buffer === undefined ? fail(R30xConfirmation.ReceiveError) : this.img2Tz(buffer);
      case R30xInstruction.Match: {
        const score = simulatedMatchScore(this.charBuffers[0], this.charBuffers[1]);
        return { code: score >= this.threshold() ? R30X_OK : R30xConfirmation.NoMatch, data: u16Bytes(score) };
      }
      case R30xInstruction.Search:
        return buffer === undefined || !need(5) ? fail(R30xConfirmation.ReceiveError) : this.search(buffer, u16(1), u16(3));
      case R30xInstruction.RegModel: {
        if (simulatedMatchScore(this.charBuffers[0], this.charBuffers[1]) < this.threshold()) {
          return fail(R30xConfirmation.MergeFailed);
        }
        const template = mergeIntoTemplate(this.charBuffers[0], this.charBuffers[1]);
        this.charBuffers = [template, Uint8Array.from(template)];
        return ok();
      }
      case R30xInstruction.Store:
      case R30xInstruction.LoadChar: {
        if (buffer === undefined || !need(3)) return fail(R30xConfirmation.ReceiveError);
        const page = u16(1);
        if (page >= this.capacity) return fail(R30xConfirmation.PageOutOfRange);
        if (instruction === R30xInstruction.Store) {
          this.library.set(page, Uint8Array.from(this.charBuffers[buffer]));
          return ok();
        }
        const stored = this.library.get(page);
        if (!stored) return fail(R30xConfirmation.TemplateReadFailed);
        this.charBuffers[buffer] = Uint8Array.from(stored);
        return ok();
      }
      case R30xInstruction.UpChar:
        return buffer === undefined ? fail(R30xConfirmation.ReceiveError) : { code: R30X_OK, dataPhase: this.charBuffers[buffer] };
      case R30xInstruction.DownChar:
        if (buffer === undefined) return fail(R30xConfirmation.ReceiveError);
        this.download = { buffer, chunks: [] };
        return ok();
      case R30xInstruction.UpImage:
        return this.image ? { code: R30X_OK, dataPhase: this.image.packed } : fail(R30xConfirmation.ImageUploadFailed);
      case R30xInstruction.DeleteChar: {
        if (!need(4)) return fail(R30xConfirmation.ReceiveError);
        const [first, count] = [u16(0), u16(2)];
        if (count === 0 || first + count > this.capacity) return fail(R30xConfirmation.DeleteFailed);
        for (let page = first; page < first + count; page++) this.library.delete(page);
        return ok();
      }
      case R30xInstruction.Empty:
        this.library.clear();
        return ok();
      case R30xInstruction.TemplateNum:
        return ok(u16Bytes(this.library.size));
      case R30xInstruction.ReadConList:
        return need(1) && params[0]! <= 3 ? ok(this.indexTable(params[0]!)) : fail(R30xConfirmation.PageOutOfRange);
      default:
        return fail(R30xConfirmation.ReceiveError);
    }
  }

  private setSysPara(register: number, value: number): Reply {
    switch (register) {
      case R30xRegister.baud:
        if (value < 1 || value > 12) return fail(R30xConfirmation.BadRegisterValue);
        // The acknowledge still goes out at the old rate; pacing switches after it.
        return { code: R30X_OK, afterReply: () => { this.baud = value * R30X_BAUD_UNIT; } };
      case R30xRegister.securityLevel:
        if (value < 1 || value > 5) return fail(R30xConfirmation.BadRegisterValue);
        this.securityLevel = value;
        return ok();
      case R30xRegister.packetSize: {
        const size = R30X_PACKET_SIZES[value];
        if (size === undefined) return fail(R30xConfirmation.BadRegisterValue);
        this.packetSize = size;
        return ok();
      }
      default:
        return fail(R30xConfirmation.BadRegister);
    }
  }

  private genImg(): Reply {
    if (this.finger === undefined) return fail(R30xConfirmation.NoFinger);
    const seed = this.finger;
    const impression = (this.impressionsTaken.get(seed) ?? 0) + 1;
    this.impressionsTaken.set(seed, impression);
    this.image = { packed: packR30xImage(renderSyntheticFinger(seed, impression)), seed, impression };
    return ok();
  }

  private img2Tz(buffer: 0 | 1): Reply {
    if (!this.image) return fail(R30xConfirmation.NoValidImage);
    if (this.takeFault('messy')) return fail(R30xConfirmation.ImageMessy);
    if (this.takeFault('few-features')) return fail(R30xConfirmation.TooFewFeatures);
    this.charBuffers[buffer] = charBufferOf(simulatedCharacterFile(this.image.seed, this.image.impression));
    return ok();
  }

  private search(buffer: 0 | 1, start: number, count: number): Reply {
    let best = { page: 0, score: 0 };
    for (const [page, template] of this.library) {
      if (page < start || page >= start + count) continue;
      const score = simulatedMatchScore(this.charBuffers[buffer], template);
      if (score > best.score) best = { page, score };
    }
    return best.score >= this.threshold()
      ? ok([...u16Bytes(best.page), ...u16Bytes(best.score)])
      : { code: R30xConfirmation.NotFound, data: [0, 0, 0, 0] };
  }

  private indexTable(indexPage: number): Uint8Array {
    const bitmap = new Uint8Array(32);
    for (const page of this.library.keys()) {
      const slot = page - indexPage * INDEX_PAGE_SLOTS;
      if (slot >= 0 && slot < INDEX_PAGE_SLOTS) bitmap[slot >> 3]! |= 1 << (slot & 7);
    }
    return bitmap;
  }

  private threshold(): number {
    return MATCH_THRESHOLDS[this.securityLevel] ?? MATCH_THRESHOLDS[3]!;
  }

  private takeFault(kind: FingerprintFault): boolean {
    const index = this.faults.indexOf(kind);
    if (index < 0) return false;
    this.faults.splice(index, 1);
    return true;
  }

  private reply(reply: Reply): void {
    this.send({ pid: R30xPid.Ack, payload: Uint8Array.from([reply.code, ...(reply.data ?? [])]) });
    const { dataPhase } = reply;
    if (dataPhase) {
      for (let offset = 0; offset < dataPhase.length; offset += this.packetSize) {
        const last = offset + this.packetSize >= dataPhase.length;
        this.send({ pid: last ? R30xPid.EndData : R30xPid.Data, payload: dataPhase.slice(offset, offset + this.packetSize) });
      }
    }
    reply.afterReply?.();
  }

  /** Queues a packet on the line; it is handed over when its last byte would have arrived. */
  private send(packet: Omit<R30xPacket, 'address'>): void {
    const bytes = encodeR30xPacket({ ...packet, address: this.address });
    if (this.takeFault('checksum')) bytes[bytes.length - 1]! ^= 0xff;
    this.txFreeAt = Math.max(Date.now(), this.txFreeAt) + this.airtimeMs(bytes.length);
    this.outgoing.push(this.txFreeAt, () => {
      if (this.transport.isOpen) this.transport.write(bytes).catch(() => undefined);
    });
  }
}

/**
 * Actions due at non-decreasing times, run in order by one timer. (One timer per action
 * could swap two with nearly equal deadlines, and bytes on a line never swap.)
 */
class LineQueue {
  private items: { at: number; action: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  push(at: number, action: () => void): void {
    this.items.push({ at, action });
    if (!this.timer) this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }

  private arm(): void {
    const head = this.items[0];
    if (!head) return;
    this.timer = setTimeout(() => this.runDue(), Math.max(0, head.at - Date.now()));
  }

  private runDue(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.items[0] && this.items[0].at <= now) this.items.shift()!.action();
    this.arm();
  }
}

function emptyCharBuffers(): [Uint8Array, Uint8Array] {
  return [new Uint8Array(R30X_CHAR_BUFFER_BYTES), new Uint8Array(R30X_CHAR_BUFFER_BYTES)];
}

function ok(data: Iterable<number> = []): Reply {
  return { code: R30X_OK, data };
}

function fail(code: number): Reply {
  return { code };
}

function u16Bytes(value: number): [number, number] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export interface StartFingerprintSimulatorOptions extends Omit<R30xModuleOptions, 'baud'> {
  /** Path the kiosk opens, e.g. /tmp/gatehouse-fp; the control socket is `${link}.control`. */
  link: string;
  baud?: number;
}

export interface RunningFingerprintSimulator {
  /** The serial device to open (the pty link). */
  path: string;
  /** Unix socket accepting control lines (see fingerprint-sim-control.ts). */
  controlPath: string;
  control: FingerprintSimulatorControl;
  stop(): Promise<void>;
}

/**
 * Creates the pty pair, runs the module on its far end and opens the control socket; resolves
 * once the module has booted, so a client that connects the moment this resolves is answered.
 */
export async function startFingerprintSimulator(options: StartFingerprintSimulatorOptions): Promise<RunningFingerprintSimulator> {
  const { link, baud = 57_600, packetSize = 128 } = options;
  const baudN = baud / R30X_BAUD_UNIT;
  if (!Number.isInteger(baudN) || baudN < 1 || baudN > 12 || !R30X_PACKET_SIZES.includes(packetSize as never)) {
    throw new DeviceError('FINGERPRINT_SIM_OPTIONS',
      `The module runs at 9600 × 1–12 baud with 32/64/128/256-byte packets, not ${baud} baud / ${packetSize} bytes.`,
      { baud, packetSize });
  }
  const port = await openSimulatorPort(link, baud);
  const module = new R30xModuleSimulator(port.transport, { ...options, baud, packetSize });
  const controlPath = `${link}.control`;
  const server = await serveFingerprintControl(controlPath, module);
  await module.booted();
  return {
    path: port.path,
    controlPath,
    control: module,
    async stop() {
      module.detach();
      await server.close();
      await port.close();
      await unlink(controlPath).catch(() => undefined);
    },
  };
}
