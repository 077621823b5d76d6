// Speaks the R30x / ZFM / AS608 instruction set over any Transport: one command in
// flight at a time, a timeout per instruction, confirmation codes turned into typed
// errors, and data phases (templates, images) assembled, checked and reported as progress.

import { DeviceError } from '../device-error.js';
import type { Transport } from '../transport/transport.js';
import {
  encodeR30xPacket, R30X_DEFAULT_ADDRESS, R30xPacketDecoder, R30xPid,
  type R30xDecoded, type R30xPacket,
} from './r30x-packet.js';
import {
  confirmationError, decodeSystemParameters, R30X_BAUD_UNIT, R30X_CHAR_BUFFER_BYTES, R30X_IMAGE_BYTES, R30X_OK,
  R30X_PACKET_SIZES, R30X_SYSTEM_PARAMETERS_BYTES, R30xConfirmation, R30xInstruction, R30xRegister,
  type R30xInstructionName, type R30xRegisterName, type R30xSystemParameters,
} from './r30x-protocol.js';

export type R30xCharBuffer = 1 | 2;

export interface R30xProgress {
  bytes: number;
  total: number;
}
export type R30xProgressListener = (progress: R30xProgress) => void;

export interface R30xDriverOptions {
  /** Module address (default FFFFFFFF). Packets from other addresses are ignored. */
  address?: number;
  /** Module password for VfyPwd (default 0). */
  password?: number;
  /** Acknowledge timeouts per instruction, in ms, over the defaults. */
  timeoutsMs?: Partial<Record<R30xInstructionName, number>>;
  /** Longest silence allowed between two packets of a data phase, in ms. */
  dataPacketTimeoutMs?: number;
}

export interface R30xMatchResult {
  matched: boolean;
  score: number;
}

export type R30xSearchResult = { found: true; page: number; score: number } | { found: false };

export interface R30xIndexTable {
  /** 32 bytes, one bit per template slot, least significant bit first. */
  bitmap: Uint8Array;
  /** Slot numbers in use within this index page. */
  usedSlots: number[];
}

const DEFAULT_TIMEOUT_MS = 1_000;
const SLOW_INSTRUCTIONS: Partial<Record<R30xInstructionName, number>> = {
  GenImg: 2_000, Img2Tz: 2_000, RegModel: 2_000, Store: 2_000, DeleteChar: 2_000, Search: 3_000, Empty: 3_000,
};
const DEFAULT_DATA_PACKET_TIMEOUT_MS = 1_000;
const SLOTS_PER_INDEX_PAGE = 256;

interface Waiter {
  resolve: (packet: R30xPacket) => void;
  reject: (error: DeviceError) => void;
  timer: NodeJS.Timeout;
}

export class R30xDriver {
  private readonly address: number;
  private readonly decoder = new R30xPacketDecoder();
  private inbox: R30xDecoded[] = [];
  private waiter: Waiter | undefined;
  private busy = false;
  private queueTail: Promise<unknown> = Promise.resolve();
  private parameters: R30xSystemParameters | undefined;

  constructor(private readonly transport: Transport, private readonly options: R30xDriverOptions = {}) {
    this.address = options.address ?? R30X_DEFAULT_ADDRESS;
    transport.on('data', (chunk) => this.onData(chunk));
    transport.on('error', (error) => this.fail(new DeviceError('R30X_LINK_ERROR',
      `The fingerprint reader link failed (${transport.description}) — check the USB cable.`,
      { device: transport.description, cause: error.message })));
    transport.on('close', () => this.fail(this.linkClosed()));
  }

  /** The parameters from the last ReadSysPara, as changed by SetSysPara since. */
  get systemParameters(): R30xSystemParameters | undefined {
    return this.parameters;
  }

  /**
   * Handshake after power-up: the module ignores the line for ~0.5 s, so VfyPwd is
   * retried on timeouts; then ReadSysPara learns the packet size for data phases.
   */
  async connect({ attempts = 10, attemptTimeoutMs = 300 } = {}): Promise<R30xSystemParameters> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.enqueue(() => this.command('VfyPwd', u32(this.options.password ?? 0), attemptTimeoutMs));
        break;
      } catch (error) {
        if (!(error instanceof DeviceError && error.code === 'R30X_TIMEOUT') || attempt >= attempts) throw error;
      }
    }
    return this.readSysPara();
  }

  async vfyPwd(password = this.options.password ?? 0): Promise<void> {
    await this.run('VfyPwd', u32(password));
  }

  async readSysPara(): Promise<R30xSystemParameters> {
    return this.enqueue(() => this.readSysParaNow());
  }

  /** SetSysPara with plain values: baud in bit/s, security level 1–5, packet size in bytes. */
  async setSysPara(register: R30xRegisterName, value: number): Promise<void> {
    const code = registerCode(register, value);
    await this.run('SetSysPara', [R30xRegister[register], code]);
    if (this.parameters) this.parameters = { ...this.parameters, [register]: value };
  }

  /** GenImg: captures the finger into the image buffer; R30X_NO_FINGER when none is there. */
  async genImg(): Promise<void> {
    await this.run('GenImg', []);
  }

  /** Img2Tz: turns the image buffer into a character file in char buffer 1 or 2. */
  async img2Tz(buffer: R30xCharBuffer): Promise<void> {
    await this.run('Img2Tz', [buffer]);
  }

  /** Match: compares char buffers 1 and 2. */
  async match(): Promise<R30xMatchResult> {
    return this.enqueue(async () => {
      const { code, data } = await this.exchange('Match', []);
      if (code !== R30X_OK && code !== R30xConfirmation.NoMatch) throw this.refused('Match', code);
      return { matched: code === R30X_OK, score: data.length >= 2 ? u16At(data, 0) : 0 };
    });
  }

  /** Search: looks for the char buffer's finger among `count` slots from `startPage`. */
  async search(buffer: R30xCharBuffer, startPage: number, count: number): Promise<R30xSearchResult> {
    return this.enqueue(async () => {
      const { code, data } = await this.exchange('Search', [buffer, ...u16(startPage), ...u16(count)]);
      if (code === R30xConfirmation.NotFound) return { found: false };
      if (code !== R30X_OK) throw this.refused('Search', code);
      this.expectLength('Search', data, 4);
      return { found: true, page: u16At(data, 0), score: u16At(data, 2) };
    });
  }

  /** RegModel: merges char buffers 1 and 2 into a template held in both. */
  async regModel(): Promise<void> {
    await this.run('RegModel', []);
  }

  async store(buffer: R30xCharBuffer, page: number): Promise<void> {
    await this.run('Store', [buffer, ...u16(page)]);
  }

  async loadChar(buffer: R30xCharBuffer, page: number): Promise<void> {
    await this.run('LoadChar', [buffer, ...u16(page)]);
  }

  /** UpChar: the whole 512-byte char buffer (the template after RegModel). */
  async upChar(buffer: R30xCharBuffer, onProgress?: R30xProgressListener): Promise<Uint8Array> {
    return this.enqueue(async () => {
      const { packetSize } = await this.knownParameters();
      await this.command('UpChar', [buffer]);
      return this.receiveData('UpChar', R30X_CHAR_BUFFER_BYTES, packetSize, onProgress);
    });
  }

  /** DownChar: writes 512 bytes into a char buffer. */
  async downChar(buffer: R30xCharBuffer, data: Uint8Array, onProgress?: R30xProgressListener): Promise<void> {
    if (data.length !== R30X_CHAR_BUFFER_BYTES) {
      throw new DeviceError('R30X_BAD_TEMPLATE',
        `A template for the fingerprint reader has ${R30X_CHAR_BUFFER_BYTES} bytes, not ${data.length}.`,
        { length: data.length });
    }
    await this.enqueue(async () => {
      const { packetSize } = await this.knownParameters();
      await this.command('DownChar', [buffer]);
      for (let offset = 0; offset < data.length; offset += packetSize) {
        const chunk = data.subarray(offset, offset + packetSize);
        const last = offset + chunk.length === data.length;
        await this.transport.write(encodeR30xPacket({
          address: this.address, pid: last ? R30xPid.EndData : R30xPid.Data, payload: chunk,
        }));
        onProgress?.({ bytes: offset + chunk.length, total: data.length });
      }
    });
  }

  /** UpImage: the image buffer, 256 × 288 pixels at 4 bits (36,864 bytes). */
  async upImage(onProgress?: R30xProgressListener): Promise<Uint8Array> {
    return this.enqueue(async () => {
      const { packetSize } = await this.knownParameters();
      await this.command('UpImage', []);
      return this.receiveData('UpImage', R30X_IMAGE_BYTES, packetSize, onProgress);
    });
  }

  async deleteChar(page: number, count: number): Promise<void> {
    await this.run('DeleteChar', [...u16(page), ...u16(count)]);
  }

  async empty(): Promise<void> {
    await this.run('Empty', []);
  }

  async templateNum(): Promise<number> {
    const data = await this.run('TemplateNum', []);
    this.expectLength('TemplateNum', data, 2);
    return u16At(data, 0);
  }

  /** ReadConList: which slots of index page 0–3 (256 slots each) hold a template. */
  async readConList(indexPage: number): Promise<R30xIndexTable> {
    const data = await this.run('ReadConList', [indexPage]);
    this.expectLength('ReadConList', data, 32);
    const bitmap = data.slice(0, 32);
    const usedSlots: number[] = [];
    bitmap.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) {
        if (byte & (1 << bit)) usedSlots.push(indexPage * SLOTS_PER_INDEX_PAGE + i * 8 + bit);
      }
    });
    return { bitmap, usedSlots };
  }

  private run(name: R30xInstructionName, params: Iterable<number>): Promise<Uint8Array> {
    return this.enqueue(() => this.command(name, params));
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      this.busy = true;
      try {
        return await task();
      } finally {
        this.busy = false;
        this.inbox = [];
      }
    };
    const result = this.queueTail.then(guarded, guarded);
    this.queueTail = result.catch(() => undefined);
    return result;
  }

  private async readSysParaNow(): Promise<R30xSystemParameters> {
    const data = await this.command('ReadSysPara', []);
    this.expectLength('ReadSysPara', data, R30X_SYSTEM_PARAMETERS_BYTES);
    this.parameters = decodeSystemParameters(data);
    return this.parameters;
  }

  private async knownParameters(): Promise<R30xSystemParameters> {
    return this.parameters ?? this.readSysParaNow();
  }

  /** Sends an instruction and returns the acknowledge's return values; throws on a non-zero code. */
  private async command(name: R30xInstructionName, params: Iterable<number>, timeoutMs?: number): Promise<Uint8Array> {
    const { code, data } = await this.exchange(name, params, timeoutMs);
    if (code !== R30X_OK) throw this.refused(name, code);
    return data;
  }

  private async exchange(name: R30xInstructionName, params: Iterable<number>, timeoutMs?: number)
    : Promise<{ code: number; data: Uint8Array }> {
    if (!this.transport.isOpen) throw this.linkClosed();
    this.inbox = [];
    this.decoder.reset();
    await this.transport.write(encodeR30xPacket({
      address: this.address, pid: R30xPid.Command, payload: Uint8Array.from([R30xInstruction[name], ...params]),
    }));
    const wait = timeoutMs ?? this.options.timeoutsMs?.[name] ?? SLOW_INSTRUCTIONS[name] ?? DEFAULT_TIMEOUT_MS;
    for (;;) {
      const packet = await this.nextPacket(name, wait);
      // Data packets here are the tail of an earlier, abandoned data phase.
      if (packet.pid === R30xPid.Data || packet.pid === R30xPid.EndData) continue;
      if (packet.pid !== R30xPid.Ack || packet.payload.length < 1) throw this.badReply(name, 'an acknowledge');
      return { code: packet.payload[0]!, data: packet.payload.subarray(1) };
    }
  }

  /**
   * Collects data packets up to the end-of-data packet. On a damaged packet it keeps
   * reading to the end of the phase (or the line going quiet) so the next command starts
   * on a clean line, then throws the first problem it saw.
   */
  private async receiveData(name: R30xInstructionName, total: number, packetSize: number,
    onProgress?: R30xProgressListener): Promise<Uint8Array> {
    const timeoutMs = this.options.dataPacketTimeoutMs ?? DEFAULT_DATA_PACKET_TIMEOUT_MS;
    const assembled = new Uint8Array(total);
    let received = 0;
    let problem: DeviceError | undefined;
    for (;;) {
      let packet: R30xPacket;
      try {
        packet = await this.nextPacket(name, timeoutMs);
      } catch (error) {
        if (!(error instanceof DeviceError)) throw error;
        if (problem && error.code === 'R30X_TIMEOUT') throw problem;
        if (error.code === 'R30X_BAD_CHECKSUM' || error.code === 'R30X_BAD_LENGTH') {
          problem ??= error;
          continue;
        }
        throw error;
      }
      const last = packet.pid === R30xPid.EndData;
      if (!last && packet.pid !== R30xPid.Data) {
        throw problem ?? this.badReply(name, 'a data packet');
      }
      const sizeOk = last ? packet.payload.length <= packetSize : packet.payload.length === packetSize;
      if (!sizeOk || received + packet.payload.length > total) {
        problem ??= this.badData(name, `a data packet of ${packet.payload.length} bytes with packet size ${packetSize}`, total);
      }
      if (!problem) {
        assembled.set(packet.payload, received);
        received += packet.payload.length;
        onProgress?.({ bytes: received, total });
      }
      if (last) break;
    }
    if (problem) throw problem;
    if (received !== total) throw this.badData(name, `${received} bytes`, total);
    return assembled;
  }

  private nextPacket(name: R30xInstructionName, timeoutMs: number): Promise<R30xPacket> {
    const queued = this.inbox.shift();
    if (queued) {
      return queued.kind === 'packet' ? Promise.resolve(queued.packet) : Promise.reject(this.withContext(queued.error, name));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new DeviceError('R30X_TIMEOUT',
          `The fingerprint reader did not answer ${name} within ${timeoutMs} ms — check that it is plugged in and `
          + 'powered, and that the baud rate and module address match the station configuration.',
          { device: this.transport.description, instruction: name, timeoutMs }));
      }, timeoutMs);
      this.waiter = {
        resolve,
        reject: (error) => reject(this.withContext(error, name)),
        timer,
      };
    });
  }

  private onData(chunk: Uint8Array): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'packet' && item.packet.address !== this.address) continue;
      if (!this.busy) continue;
      const waiter = this.waiter;
      if (!waiter) {
        this.inbox.push(item);
        continue;
      }
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      if (item.kind === 'packet') waiter.resolve(item.packet);
      else waiter.reject(item.error);
    }
  }

  private fail(error: DeviceError): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  private withContext(error: DeviceError, instruction: R30xInstructionName): DeviceError {
    return new DeviceError(error.code, error.message, { ...error.details, device: this.transport.description, instruction });
  }

  private refused(instruction: R30xInstructionName, code: number): DeviceError {
    return confirmationError(code, { device: this.transport.description, instruction });
  }

  private linkClosed(): DeviceError {
    return new DeviceError('R30X_LINK_CLOSED',
      `The fingerprint reader is not connected (${this.transport.description}) — check the USB cable.`,
      { device: this.transport.description });
  }

  private badReply(instruction: R30xInstructionName, expected: string): DeviceError {
    return new DeviceError('R30X_BAD_REPLY',
      `The fingerprint reader answered ${instruction} with something other than ${expected} — power-cycle it and try again.`,
      { device: this.transport.description, instruction });
  }

  private badData(instruction: R30xInstructionName, got: string, total: number): DeviceError {
    return new DeviceError('R30X_BAD_DATA_LENGTH',
      `The fingerprint reader sent ${got} for ${instruction}, expected ${total} bytes — try again; `
      + 'if it repeats, check the cable.',
      { device: this.transport.description, instruction, expected: total });
  }

  private expectLength(instruction: R30xInstructionName, data: Uint8Array, length: number): void {
    if (data.length < length) throw this.badReply(instruction, `${length} bytes of return values`);
  }
}

function registerCode(register: R30xRegisterName, value: number): number {
  const code = register === 'baud' ? value / R30X_BAUD_UNIT
    : register === 'packetSize' ? R30X_PACKET_SIZES.indexOf(value as (typeof R30X_PACKET_SIZES)[number])
      : value;
  const [min, max] = register === 'baud' ? [1, 12] : register === 'packetSize' ? [0, 3] : [1, 5];
  if (!Number.isInteger(code) || code < min || code > max) {
    throw new DeviceError('R30X_BAD_SETTING',
      `${value} is not a valid ${register} for the fingerprint reader `
      + '(baud: 9600 × 1–12, securityLevel: 1–5, packetSize: 32/64/128/256).',
      { register, value });
  }
  return code;
}

function u16(value: number): [number, number] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function u16At(data: Uint8Array, offset: number): number {
  return (data[offset]! << 8) | data[offset + 1]!;
}
