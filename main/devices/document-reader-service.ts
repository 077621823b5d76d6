// Runs the configured document reader (an MRZ reader or a CN resident-ID reader) behind
// one face: it reports the reader's state for the status bar and turns every read into a
// DocumentCapture, or a failure a person can act on.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { DeviceError } from '../../native/device-error.js';
import { CnidPoller } from '../../native/idreader/cnid/cnid-poller.js';
import { MrzReader, type MrzRead } from '../../native/idreader/mrz-reader/mrz-reader.js';
import type { DeviceLink, LinkStatus } from '../../native/transport/device-link.js';
import { serialDeviceLink } from '../../native/transport/serial-transport.js';
import { captureFromCnid, captureFromMrz, type DocumentCapture } from '../enrollment/document-capture.js';
import type { ReadFailureView } from '../enrollment/enrollment.js';
import type { DeviceStatus } from '../rpc/contract.js';
import type { DocumentReaderConfig } from './device-config.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

export type DocumentReaderEvents = {
  capture: [capture: DocumentCapture];
  failure: [failure: ReadFailureView];
  status: [status: DeviceStatusView];
};

export class DocumentReaderService extends EventEmitter<DocumentReaderEvents> {
  readonly #link: DeviceLink;
  readonly #stopDriver: () => Promise<void> | void;
  #status: DeviceStatusView;

  constructor(config: DocumentReaderConfig, private readonly options: { simulated: boolean; now: () => Date }) {
    super();
    const name = config.kind === 'mrz' ? 'MRZ document reader' : 'ID card reader';
    this.#status = { kind: 'document-reader', name, state: 'disconnected', simulated: options.simulated };
    this.#link = serialDeviceLink(name, { path: config.path, baudRate: config.baud });
    this.#link.on('status', (status) => this.#report(status));
    if (config.kind === 'mrz') {
      const reader = new MrzReader(this.#link, { framing: config.framing, now: options.now });
      reader.on('read', (read) => this.#mrzRead(read));
      reader.on('fault', (error) => this.#fail(error));
      reader.start();
      this.#stopDriver = () => reader.stop();
    } else {
      const poller = new CnidPoller(this.#link);
      poller.on('inserted', (card) => this.emit('capture', captureFromCnid(card, options.now())));
      poller.on('fault', (error) => this.#fail(error));
      poller.start();
      this.#stopDriver = () => poller.stop();
    }
  }

  get status(): DeviceStatusView {
    return this.#status;
  }

  start(): void {
    this.#link.start();
  }

  async stop(): Promise<void> {
    await this.#stopDriver();
    await this.#link.stop();
  }

  #mrzRead(read: MrzRead): void {
    if (read.parse.ok) this.emit('capture', captureFromMrz(read.parse.result, 'mrz', new Date(read.at)));
    else this.#fail(read.parse.error);
  }

  #fail(error: DeviceError): void {
    this.emit('failure', { at: this.options.now().toISOString(), code: error.code, message: error.message });
  }

  #report({ state, reason }: LinkStatus): void {
    const mapped = state === 'connected' ? 'ready' : state === 'error' ? 'error' : 'disconnected';
    this.#status = { ...this.#status, state: mapped, ...(reason ? { reason } : {}) };
    if (!reason) delete this.#status.reason;
    this.emit('status', this.#status);
  }
}
