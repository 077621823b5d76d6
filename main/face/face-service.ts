// The face workers for the whole kiosk (FaceWorkerClient: two, one per core), started on
// first use (loading the models takes about a second) and shared by every screen; closed with
// the kiosk.

import { FaceWorkerClient } from './face-worker-client.js';

export class FaceService {
  #client: FaceWorkerClient | null = null;

  /** The started workers' client; rejects with a worker's error (e.g. a model hash mismatch). */
  async client(): Promise<FaceWorkerClient> {
    this.#client ??= new FaceWorkerClient();
    await this.#client.start();
    return this.#client;
  }

  async close(): Promise<void> {
    await this.#client?.close();
    this.#client = null;
  }
}
