// The bridge under the browser host: RPC over a WebSocket to 127.0.0.1, authenticated
// by the session cookie the page got when it was opened through its one-time address
// (HttpOnly: this code never sees it; the browser sends it with the upgrade). Reconnects
// when the socket drops; calls in flight then fail with RPC_DISCONNECTED.

import type { RpcBridge } from '../../../main/rpc/bridge';
import type { RpcResult } from '../../../main/rpc/define';
import type { CallMessage, ServerMessage } from '../../../main/rpc/wire';

export function createWebSocketBridge(location: Location): RpcBridge {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
  const pending = new Map<number, (result: RpcResult) => void>();
  const listeners = new Set<(name: string, payload: unknown) => void>();
  let queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket;
  let retryMs = 250;

  const connect = () => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      retryMs = 250;
      for (const message of queue) socket.send(message);
      queue = [];
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage;
      if (message.t === 'event') {
        for (const listener of listeners) listener(message.name, message.payload);
      } else {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      }
    };
    socket.onclose = () => {
      for (const resolve of pending.values()) {
        resolve({ ok: false, error: { code: 'RPC_DISCONNECTED', message: 'Lost contact with the kiosk service; retrying.', details: {} } });
      }
      pending.clear();
      queue = [];
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();

  return {
    call(method, input) {
      const id = nextId++;
      const message: CallMessage = { t: 'call', id, method, input };
      const text = JSON.stringify(message);
      return new Promise((resolve) => {
        pending.set(id, resolve);
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
