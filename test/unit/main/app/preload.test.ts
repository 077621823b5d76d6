// The preload compiled as tsc compiles it (.cts → CommonJS): it may require nothing but
// 'electron' (a sandboxed preload can load nothing else) and exposes exactly the RPC
// bridge, run here against a stand-in for Electron's contextBridge and ipcRenderer.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { IpcChannels, type RpcBridge } from '../../../../main/rpc/bridge.js';

const source = readFileSync(new URL('../../../../main/app/preload.cts', import.meta.url), 'utf8');
const compiled = ts.transpileModule(source, {
  fileName: 'preload.cts',
  compilerOptions: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023 },
}).outputText;

/** Every require(), import declaration and import() in the compiled code. */
function requiredModules(code: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      const [name] = node.arguments;
      found.push(name && ts.isStringLiteral(name) ? name.text : '<computed>');
    }
    if (ts.isImportDeclaration(node)) found.push('<import declaration>');
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found.push('<dynamic import>');
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('preload.cjs', code, ts.ScriptTarget.ES2023, true, ts.ScriptKind.JS));
  return found;
}

/** Runs the compiled preload with a require that knows only a fake 'electron'. */
function loadPreload() {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const ipcRenderer = {
    invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, output: 'pong' })),
    on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
    }),
    removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
      listeners.get(channel)?.delete(listener);
    }),
  };
  const exposeInMainWorld = vi.fn();
  const requireElectronOnly = (name: string) => {
    if (name !== 'electron') throw new Error(`the preload required ${name}`);
    return { contextBridge: { exposeInMainWorld }, ipcRenderer };
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', compiled)(requireElectronOnly, module, module.exports);
  const emit = (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((listener) => listener(...args));
  return { exposeInMainWorld, ipcRenderer, emit };
}

describe('preload', () => {
  it('compiles to CommonJS that requires only electron', () => {
    expect(requiredModules(compiled)).toEqual(['electron']);
  });

  it('exposes exactly one object, window.gatehouse, with call and onEvent', () => {
    const { exposeInMainWorld } = loadPreload();
    expect(exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = exposeInMainWorld.mock.calls[0]!;
    expect(key).toBe('gatehouse');
    expect(Object.keys(api as object).sort()).toEqual(['call', 'onEvent']);
  });

  it('calls over the IpcChannels.call channel and returns the result', async () => {
    const { exposeInMainWorld, ipcRenderer } = loadPreload();
    const bridge = exposeInMainWorld.mock.calls[0]![1] as RpcBridge;
    await expect(bridge.call('system.ping', { n: 1 })).resolves.toEqual({ ok: true, output: 'pong' });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IpcChannels.call, 'system.ping', { n: 1 });
  });

  it('hands listeners the event name and payload but never the IPC event', () => {
    const { exposeInMainWorld, ipcRenderer, emit } = loadPreload();
    const bridge = exposeInMainWorld.mock.calls[0]![1] as RpcBridge;
    const listener = vi.fn();
    const unsubscribe = bridge.onEvent(listener);
    expect(ipcRenderer.on).toHaveBeenCalledWith(IpcChannels.event, expect.any(Function));

    emit(IpcChannels.event, { sender: ipcRenderer }, 'session.idleWarning', { secondsLeft: 10 });
    expect(listener).toHaveBeenCalledWith('session.idleWarning', { secondsLeft: 10 });
    expect(listener.mock.calls[0]).toHaveLength(2);

    unsubscribe();
    emit(IpcChannels.event, { sender: ipcRenderer }, 'session.idleWarning', { secondsLeft: 5 });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(IpcChannels.event, expect.any(Function));
  });
});
