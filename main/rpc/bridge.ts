// The shape of the typed bridge a screen talks through: the Electron preload exposes
// it as `window.gatehouse`, and the renderer builds the same thing over the browser
// host's WebSocket. Types only; no runtime code crosses into the renderer.

import type { RpcResult } from './define.js';

export interface RpcBridge {
  call(method: string, input: unknown): Promise<RpcResult>;
  /** Subscribes to every contract event; returns the unsubscribe function. */
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}

/** IPC channel names shared by the Electron main process and the preload. */
export const IpcChannels = { call: 'gatehouse:call', event: 'gatehouse:event' } as const;
