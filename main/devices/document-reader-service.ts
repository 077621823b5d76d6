// Runs the configured document reader, whatever its family: reports its state for the
// status bar (with the problem an officer can act on, and the technical fault for the
// technician) and passes on its readings and failures. Turning a reading into an
// enrollment's document capture is the enrollment's business, not this one's.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { DeviceError } from '../../native/device-error.js';
import type { DocumentReader, DocumentReading } from '../../native/idreader/document-reader.js';
import type { LinkStatus } from '../../native/transport/device-link.js';
import type { DeviceStatus } from '../rpc/contract.js';
import { linkView, type DeviceFault } from './device-problem.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

export type DocumentReaderServiceEvents = {
  reading: [reading: DocumentReading];
  failure: [error: DeviceError];
  /** The state changed; `fault` is the technical detail of a problem (never for an officer's screen). */
  status: [status: DeviceStatusView, fault: DeviceFault | null];
};

export class DocumentReaderService extends EventEmitter<DocumentReaderServiceEvents> {
  #status: DeviceStatusView;

  constructor(private readonly reader: DocumentReader, { simulated }: { simulated: boolean }) {
    super();
    this.#status = { kind: 'document-reader', name: reader.name, state: 'disconnected', simulated };
    reader.on('status', (status) => this.#report(status));
    reader.on('reading', (reading) => this.emit('reading', reading));
    reader.on('failure', (error) => this.emit('failure', error));
  }

  get status(): DeviceStatusView {
    return this.#status;
  }

  start(): void {
    this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  #report(link: LinkStatus): void {
    const { kind, name, simulated } = this.#status;
    const { state, problem, fault } = linkView(link);
    this.#status = { kind, name, simulated, state: state === 'connected' ? 'ready' : state, ...(problem ? { problem } : {}) };
    this.emit('status', this.#status, fault);
  }
}
