// The sandboxed preload: exposes exactly the typed RPC bridge as `window.gatehouse`
// and nothing else. Sandboxed preloads are CommonJS and may require only 'electron',
// so this file is self-contained; the channel names are checked against IpcChannels.

import type { IpcRendererEvent } from 'electron';
import type { IpcChannels, RpcBridge } from '../rpc/bridge.js';
import type { RpcResult } from '../rpc/define.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');

const channels: typeof IpcChannels = { call: 'gatehouse:call', event: 'gatehouse:event' };

const bridge: RpcBridge = {
  call: (method, input) => electron.ipcRenderer.invoke(channels.call, method, input) as Promise<RpcResult>,
  onEvent(listener) {
    // The IPC event (which carries `sender`, the ipcRenderer) never reaches the page.
    const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    electron.ipcRenderer.on(channels.event, forward);
    return () => {
      electron.ipcRenderer.removeListener(channels.event, forward);
    };
  },
};

electron.contextBridge.exposeInMainWorld('gatehouse', bridge);
