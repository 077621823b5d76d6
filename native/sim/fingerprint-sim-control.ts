// How fingers are placed and faults injected into the fingerprint simulator: the
// programmatic FingerprintSimulatorControl, and the same as a channel for other processes
// (tests, demo mode, a technician's shell): a Unix socket next to the link, `${link}.control`, taking one
// command per line and answering one line each:
//   place SEED | lift | fault messy|few-features|checksum|silence | power-cycle | status
// → "ok", "ok {status JSON}" for status, or "error <reason>".
// From a shell: `echo 'place 42' | socat - UNIX-CONNECT:/tmp/fp.control`.

import { createConnection, createServer, type Socket } from 'node:net';
import { unlink } from 'node:fs/promises';
import { DeviceError } from '../device-error.js';

export const FINGERPRINT_FAULTS = ['messy', 'few-features', 'checksum', 'silence'] as const;
/**
 * One-shot faults: messy / few-features fail the next Img2Tz (0x06 / 0x07), checksum
 * garbles the next reply packet, silence swallows the next command.
 */
export type FingerprintFault = (typeof FINGERPRINT_FAULTS)[number];

export interface FingerprintSimulatorStatus {
  /** Seed of the finger on the sensor, or null. */
  finger: number | null;
  templates: number;
  baud: number;
  packetSize: number;
  securityLevel: number;
  pendingFaults: FingerprintFault[];
}

export interface FingerprintSimulatorControl {
  placeFinger(seed: number): void;
  /** Takes the finger off (in --auto-finger mode the auto finger stays). */
  liftFinger(): void;
  injectFault(kind: FingerprintFault): void;
  /** Replies in progress stop, buffers clear, the line is ignored for the boot delay; the library stays. */
  powerCycle(): void;
  /** The image buffer exactly as UpImage would send it (4-bit packed), if GenImg captured one. */
  readonly imageBuffer: Uint8Array | undefined;
  status(): FingerprintSimulatorStatus;
}

/** Applies one control line and returns the answer line (without newline). */
export function runControlCommand(control: FingerprintSimulatorControl, line: string): string {
  const [command, argument, ...extra] = line.trim().split(/\s+/);
  if (extra.length > 0) return `error too many arguments: ${line.trim()}`;
  switch (command) {
    case 'place': {
      if (!argument || !/^\d+$/.test(argument) || Number(argument) > 0xffffffff) return 'error place needs a seed 0–4294967295';
      control.placeFinger(Number(argument));
      return 'ok';
    }
    case 'lift':
      control.liftFinger();
      return 'ok';
    case 'fault':
      if (!FINGERPRINT_FAULTS.includes(argument as FingerprintFault)) return `error fault is one of ${FINGERPRINT_FAULTS.join(', ')}`;
      control.injectFault(argument as FingerprintFault);
      return 'ok';
    case 'power-cycle':
      control.powerCycle();
      return 'ok';
    case 'status':
      return `ok ${JSON.stringify(control.status())}`;
    default:
      return `error unknown command "${command ?? ''}" (place SEED, lift, fault KIND, power-cycle, status)`;
  }
}

export interface ControlServer {
  close(): Promise<void>;
}

export async function serveFingerprintControl(path: string, control: FingerprintSimulatorControl): Promise<ControlServer> {
  await unlink(path).catch(() => undefined);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (text: string) => {
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) socket.write(`${runControlCommand(control, line)}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** Sends one line to a running simulator's control socket; resolves with what follows "ok". */
export function sendFingerprintControl(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (text: string) => {
      answer += text;
      if (!answer.includes('\n')) return;
      socket.end();
      const reply = answer.slice(0, answer.indexOf('\n'));
      if (reply === 'ok' || reply.startsWith('ok ')) resolve(reply.slice(3));
      else reject(new DeviceError('FINGERPRINT_SIM_CONTROL', `The fingerprint simulator refused "${line}": ${reply}`, { path, line }));
    });
    socket.on('error', (error) => reject(new DeviceError('FINGERPRINT_SIM_CONTROL',
      `Could not reach the fingerprint simulator at ${path} — is it running?`, { path, cause: error.message })));
  });
}
