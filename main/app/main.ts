// The Electron main process: one sandboxed kiosk window showing the built renderer on
// app://gatehouse, its RPC over IPC into the same dispatcher the browser host uses, and
// every permission, navigation, popup and webview refused unless policy.ts allows it.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, type Session, type WebContents,
} from 'electron';
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import { contentSecurityPolicy } from '../host/content-security-policy.js';
import { resolveDataDir } from '../kiosk/data-dir.js';
import { simulationOf } from '../devices/simulation-request.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import { bootKiosk } from '../kiosk/kiosk-boot.js';
import { Shutdown } from '../kiosk/shutdown.js';
import { projectRoot } from '../kiosk/project-root.js';
import { createLog } from '../log.js';
import { IpcChannels } from '../rpc/bridge.js';
import { RpcCodes, type RpcResult } from '../rpc/define.js';
import {
  APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, isTrustedSender, mayNavigate, permissionDecision, resolveAppAsset,
} from './policy.js';
import { SafeStorageKeyVault } from './safe-storage-key-vault.js';

const log = createLog('electron');
const rendererDir = join(projectRoot, 'dist', 'renderer');
const preload = join(dirname(fileURLToPath(import.meta.url)), 'preload.cjs');

// Standard + secure: a real origin for 'self' in the CSP and a secure context for the
// camera. CORS stays off, so no other origin can read app:// responses.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  app.whenReady().then(start).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log.error('the kiosk could not start', { error: message });
    dialog.showErrorBox('Gatehouse could not start', message);
    app.exit(2);
  });
} else {
  log.info('Gatehouse is already running on this terminal; handing over to it');
  app.quit();
}

async function start(): Promise<void> {
  serveRenderer();
  Menu.setApplicationMenu(null);
  guardSession(session.defaultSession);
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  const { values } = parseArgs({
    args: process.argv.slice(1),
    options: { data: { type: 'string' }, simulate: { type: 'boolean' }, 'simulated-reader': { type: 'string' }, 'simulated-chip': { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  const simulation = simulationOf({
    simulate: values.simulate === true,
    simulatedChip: values['simulated-chip'] === true,
    simulatedReader: typeof values['simulated-reader'] === 'string' ? values['simulated-reader'] : undefined,
  }, process.env);
  const dataDir = resolveDataDir(typeof values.data === 'string' ? values.data : undefined);
  if (simulation.simulate) log.warn('simulated devices stand in for the devices not set up (--simulate); never enroll people on this kiosk');
  // Quitting runs the kiosk's shutdown (sync, window, devices, store) before Electron quits for real.
  const shutdown = new Shutdown(log, { signals: false });
  app.on('will-quit', (event) => {
    event.preventDefault();
    app.removeAllListeners('will-quit');
    void shutdown.run().finally(() => app.quit());
  });
  await bootKiosk({
    dataDir, host: 'electron', log, keyVault: new SafeStorageKeyVault(dataDir), simulation,
    openScreens: async (kiosk) => {
      const window = openWindow(serveIpc(kiosk));
      return { close: () => { if (!window.isDestroyed()) window.close(); } };
    },
  }, shutdown);
}

/** The kiosk window, full screen and sandboxed; a second launch brings it to the front. */
function openWindow(screens: { attach(contents: WebContents): void }): BrowserWindow {
  const window = new BrowserWindow({
    kiosk: true,
    show: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      preload,
      devTools: false,
      spellcheck: false,
    },
  });
  screens.attach(window.webContents);
  window.once('ready-to-show', () => window.show());
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

/** app://gatehouse/… answers with files from dist/renderer, under the kiosk's CSP. */
function serveRenderer(): void {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new GatehouseError('HOST_NO_RENDERER', `The built screens are missing at ${rendererDir}; run "npm run build".`);
  }
  const csp = contentSecurityPolicy(APP_ORIGIN);
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(request.url, rendererDir);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const response = await net.fetch(pathToFileURL(file).href);
      const headers = new Headers(response.headers);
      headers.set('content-security-policy', csp);
      return new Response(response.body, { status: response.status, headers });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function guardSession(guarded: Session): void {
  guarded.setPermissionRequestHandler((_contents, permission, grant, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes ?? [] : [];
    grant(permissionDecision({ permission, requestingUrl: details.requestingUrl, mediaTypes }));
  });
  guarded.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    permissionDecision({ permission, requestingUrl: requestingOrigin, mediaTypes: details.mediaType ? [details.mediaType] : [] }));
}

/** Every page: no popups, no webviews, no navigation or redirect off the app's origin. */
function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  const keepOnApp = (event: Electron.Event<{ url: string }>) => {
    if (mayNavigate(contents.getURL(), event.url)) return;
    log.warn('blocked navigation off the app');
    event.preventDefault();
  };
  contents.on('will-frame-navigate', keepOnApp);
  contents.on('will-redirect', keepOnApp);
}

/** One ScreenSession per window's webContents; calls only from its trusted main frame. */
function serveIpc(kiosk: Kiosk): { attach(contents: WebContents): void } {
  const screens = new Map<WebContents, ScreenSession>();
  const refuse = (code: string, message: string): RpcResult => ({ ok: false, error: { code, message, details: {} } });

  ipcMain.handle(IpcChannels.call, async (event, method: unknown, input: unknown): Promise<RpcResult> => {
    const screen = screens.get(event.sender);
    const frame = event.senderFrame;
    if (!screen || !frame || !isTrustedSender({ frameUrl: frame.url, isMainFrame: frame.parent === null })) {
      log.warn('refused an IPC call from a frame that is not the kiosk page');
      return refuse(RpcCodes.forbidden, 'Only the kiosk page may call the kiosk.');
    }
    if (typeof method !== 'string') return refuse(RpcCodes.badRequest, 'Malformed RPC call.');
    return kiosk.dispatcher.call(screen, method, input);
  });

  return {
    attach(contents) {
      const screen = kiosk.openScreen((name, payload) => {
        if (!contents.isDestroyed()) contents.send(IpcChannels.event, name, payload);
      });
      screens.set(contents, screen);
      contents.once('destroyed', () => {
        screens.delete(contents);
        kiosk.closeScreen(screen);
      });
    },
  };
}
