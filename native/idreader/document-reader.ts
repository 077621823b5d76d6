// What every document-reader family gives the kiosk: readings in one normalised shape (a
// parsed MRZ or a CN resident-ID card), failures a person can act on, and the reader's link
// status; plus what its simulator can be asked to do. The kiosk turns a reading into the
// enrollment's document capture; the families know nothing of enrollments.

import { EventEmitter } from 'node:events';
import type { DeviceSimulation } from '../device-family.js';
import type { DeviceError } from '../device-error.js';
import type { DeviceLink, LinkStatus } from '../transport/device-link.js';
import type { CnidCard } from './cnid/sam-reader.js';
import type { MrzResult } from './mrz/mrz-result.js';

export type DocumentReading =
  | { readonly kind: 'mrz'; readonly at: Date; readonly result: MrzResult }
  | { readonly kind: 'cnid'; readonly at: Date; readonly card: CnidCard };

export type DocumentReaderEvents = {
  reading: [reading: DocumentReading];
  /** A read that went wrong (misread, card pulled away); reading goes on. */
  failure: [error: DeviceError];
  status: [status: LinkStatus];
};

/** The driver a document-reader family opens: it follows its link once started. */
export class DocumentReader extends EventEmitter<DocumentReaderEvents> {
  #status: LinkStatus = { state: 'disconnected' };

  /** `stopDriver` stops what reads the link (the link itself is stopped here). */
  constructor(readonly name: string, private readonly link: DeviceLink, private readonly stopDriver: () => Promise<void> | void) {
    super();
    link.on('status', (status) => {
      this.#status = status;
      this.emit('status', status);
    });
  }

  get status(): LinkStatus {
    return this.#status;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    await this.stopDriver();
    await this.link.stop();
  }
}

/** The documents a simulated reader can be given: Utopian specimens and a CN resident-ID card. */
export type SampleDocument = 'passport' | 'id-card' | 'visa' | 'cnid';

export interface DocumentReaderSimulation<Config> extends DeviceSimulation<Config> {
  present(document: SampleDocument): Promise<void>;
  /** Presents a document the reader misreads (a check digit off, a bad read). */
  presentMisread(): Promise<void>;
  remove(): void;
}
