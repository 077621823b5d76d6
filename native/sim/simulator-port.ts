// The simulator's end of a socat pty pair, opened as a serial port: what every device
// simulator starts from. Closing it also stops socat, so the driver-side path disappears
// the way an unplugged USB reader's device node does.

import { SerialTransport } from '../transport/serial-transport.js';
import type { Transport } from '../transport/transport.js';
import { openPtyPair } from './pty-pair.js';

export interface SimulatorPort {
  /** The driver-side path (the --link given to the simulator), openable once this resolves. */
  readonly path: string;
  /** The open simulator end. */
  readonly transport: Transport;
  close(): Promise<void>;
}

export async function openSimulatorPort(link: string, baudRate: number): Promise<SimulatorPort> {
  const pair = await openPtyPair(link);
  const transport = new SerialTransport({ path: pair.simulatorPath, baudRate });
  const close = async (): Promise<void> => {
    await transport.close();
    await pair.close();
  };
  await transport.open().catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return { path: pair.devicePath, transport, close };
}
