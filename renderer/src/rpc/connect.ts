// Picks the bridge by host: the preload's `window.gatehouse` under Electron, the
// WebSocket bridge under the browser host.

import type { RpcBridge } from '../../../main/rpc/bridge';
import { createRpcClient, type RpcClient } from './client';
import { createWebSocketBridge } from './websocket-bridge';

declare global {
  interface Window {
    gatehouse?: RpcBridge;
  }
}

export function connectToKiosk(): RpcClient {
  return createRpcClient(window.gatehouse ?? createWebSocketBridge(window.location));
}
