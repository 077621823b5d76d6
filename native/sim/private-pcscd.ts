// A private pcscd with a vpcd virtual reader on free TCP ports, so a virtual card
// (vpcd-card.ts) can be put behind real PC/SC without touching the system's pcscd: the
// simulated chip reader of a kiosk in development, and the PC/SC integration tests (one
// daemon per test file, through test/fixtures/pcscd.ts).
//
// What was verified (Debian 12: pcsc-lite 1.9.9, vsmartcard-vpcd 3.3, smartcard 3.7.0):
// - The daemon ignores PCSCLITE_CSOCK_NAME: its socket (/run/pcscd/pcscd.comm) and pid
//   file (/run/pcscd/pcscd.pid) are compiled in. The client library honours it, but reads
//   it once per process at the first SCardEstablishContext (a failed one too) and keeps it.
//   So start() sets it for this process, and must run before anything here opens a PC/SC
//   context; another process (a kiosk, `pcsc_scan`) is pointed at `socketPath` through
//   its own environment.
// - `--config DIR` replaces /etc/reader.conf.d, so the system's vpcd entry (port 35963) is
//   not loaded; a vpcd entry `DEVICENAME /dev/null:PORT` + `CHANNELID PORT` opens one slot
//   per port from PORT up (two in this build: "NAME 00 00" on PORT, "NAME 00 01" on
//   PORT+1), listening on every interface. Port 0 is no use: slot 1 would bind port 1.
// - Isolation "mount-namespace" (preferred): pcscd runs under `unshare --mount` (as root,
//   or with --map-root-user where user namespaces are allowed, which is how a developer who
//   is not root gets one) with a private tmpfs on /run, this process's directory bound on
//   /run/pcscd and USB device nodes hidden, so its socket and pid file are its own, it
//   cannot grab a real reader from the system's pcscd, and several run side by side.
//   Socket activation (systemd-socket-activate -l SOCK pcscd -f) also gives a private
//   socket, but still writes /run/pcscd/pcscd.pid.
// - Isolation "exclusive-lock" (fallback for root where namespaces are refused): pcscd on
//   the standard socket, one private pcscd at a time across processes (a lock directory in
//   the temp dir), and only when no other pcscd owns /run/pcscd/pcscd.comm.
// Where neither works, start throws PCSC_SIMULATOR_UNAVAILABLE saying what to change.
// `ready`: start resolves once pcscd accepts clients and lists the vpcd reader. pcscd dies
// with this process (setpriv --pdeathsig) and is killed on exit if stop() was missed; the
// directories of processes that were killed are swept by the next start.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceError } from '../device-error.js';
import { smartcardPackage } from '../transport/pcsc-card-reader.js';

export type PcscdIsolation = 'mount-namespace' | 'exclusive-lock';

export interface PrivatePcscd {
  readonly isolation: PcscdIsolation;
  /** The socket PC/SC clients use: this process's PCSCLITE_CSOCK_NAME is set to it. */
  readonly socketPath: string;
  /** Slot 0 of the vpcd reader, e.g. "Gatehouse Test Reader 00 00". */
  readonly readerName: string;
  readonly readerNames: readonly string[];
  /** The TCP port of slot 0; slot n listens on vpcdPort + n. */
  readonly vpcdPort: number;
  readonly pid: number;
  /** What pcscd printed (it runs in the foreground), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface PrivatePcscdOptions {
  /** Default: mount-namespace where unshare works here, else exclusive-lock for root. */
  readonly isolation?: PcscdIsolation;
  /** The reader's name before its slot number; default "Gatehouse Test Reader". */
  readonly friendlyName?: string;
  /** pcscd --debug --apdu: every APDU in output(). */
  readonly debug?: boolean;
}

const SYSTEM_SOCKET = '/run/pcscd/pcscd.comm';
const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const READY_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 5;
const KEEP_OUTPUT = 256 * 1024;
const isRoot = process.getuid?.() === 0;
const unshareFlags = ['--mount', '--propagation', 'private', ...(isRoot ? [] : ['--map-root-user'])];
const ATTACH_TO_SYSTEM = 'or attach the virtual card to a pcscd that already runs with the vsmartcard-vpcd reader '
  + '(port 35963: `gatehouse sim chip --port 35963`)';

/** Runs inside the new mount namespace: $1 = run directory, $2 = config directory, $3 = debug flags. */
const NAMESPACE_SCRIPT = [
  'set -e',
  'mount -t tmpfs -o mode=0755 gatehouse-pcscd /run',
  'mkdir /run/pcscd',
  'mount --bind "$1" /run/pcscd',
  'if [ -d /dev/bus/usb ]; then mount -t tmpfs -o mode=0755 gatehouse-no-usb /dev/bus/usb; fi',
  `exec setpriv --pdeathsig TERM ${PCSCD} --foreground --config "$2" $3`,
].join('\n');

let namespaceProbe: boolean | undefined;
/** The socket this process's PC/SC client library was pointed at; it cannot change afterwards. */
let claimedSocket: string | undefined;
/** One private pcscd per process: its directory is named after the process. */
let running = false;

/** Whether this process may make a mount namespace and mount in it. */
export function mountNamespaceAvailable(): boolean {
  namespaceProbe ??= spawnSync('unshare', [...unshareFlags, '--', 'sh', '-c', 'mount -t tmpfs gatehouse-probe /run'],
    { stdio: 'ignore' }).status === 0;
  return namespaceProbe;
}

export async function startPrivatePcscd(options: PrivatePcscdOptions = {}): Promise<PrivatePcscd> {
  if (running) {
    throw new DeviceError('PCSC_SIMULATOR_RUNNING',
      'A private pcscd already runs in this process; stop it before starting another (one per process).');
  }
  const isolation = chooseIsolation(options.isolation);
  const baseDir = join(tmpdir(), `gatehouse-pcscd-${process.pid}`);
  const runDir = join(baseDir, 'run');
  const confDir = join(baseDir, 'conf');
  const socketPath = isolation === 'mount-namespace' ? join(runDir, 'pcscd.comm') : SYSTEM_SOCKET;
  claimSocketPath(socketPath);
  running = true;
  let releaseLock = (): void => undefined;
  const cleanUp = async (): Promise<void> => {
    releaseLock();
    await rm(baseDir, { recursive: true, force: true });
    running = false;
  };
  try {
    await sweepAbandonedDirs();
    if (isolation === 'exclusive-lock') releaseLock = await acquireSystemSocket();
    await rm(baseDir, { recursive: true, force: true });
    await mkdir(runDir, { recursive: true });
    await mkdir(confDir, { recursive: true });
    const friendlyName = options.friendlyName ?? 'Gatehouse Test Reader';
    for (let attempt = 1; ; attempt += 1) {
      const vpcdPort = await freePortPair();
      await writeFile(join(confDir, 'vpcd'), [
        `FRIENDLYNAME "${friendlyName}"`,
        `DEVICENAME   /dev/null:${vpcdPort}`,
        `LIBPATH      ${VPCD_DRIVER}`,
        `CHANNELID    ${vpcdPort}`,
        '',
      ].join('\n'));
      const daemon = launch(isolation, runDir, confDir, options.debug === true);
      const readers = await waitUntilServing(daemon);
      const readerNames = readers.filter((name) => name.startsWith(`${friendlyName} `));
      const readerName = readerNames.find((name) => name.endsWith(' 00 00'));
      if (readerName) {
        let stopped: Promise<void> | undefined;
        return {
          isolation, socketPath, readerName, readerNames, vpcdPort, pid: daemon.child.pid as number,
          output: () => daemon.output(),
          stop: () => (stopped ??= daemon.stop().then(cleanUp)),
        };
      }
      // vpcd could not bind its port (taken since it was found free): try other ports.
      await daemon.stop();
      if (attempt === START_ATTEMPTS) {
        throw new DeviceError('PCSC_SIMULATOR_FAILED', `The private pcscd never listed the vpcd reader "${friendlyName} 00 00" `
          + `(readers: ${readers.join(', ') || 'none'}). pcscd said:\n${daemon.output()}`, { readers });
      }
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** The isolation asked for, or the best one here; PCSC_SIMULATOR_UNAVAILABLE when none can work. */
function chooseIsolation(wanted: PcscdIsolation | undefined): PcscdIsolation {
  if (!existsSync(PCSCD) || !existsSync(VPCD_DRIVER)) {
    throw new DeviceError('PCSC_SIMULATOR_UNAVAILABLE', `A private pcscd needs ${PCSCD} and the vpcd driver `
      + `${VPCD_DRIVER}; install them with \`apt install pcscd vsmartcard-vpcd\`.`, { pcscd: PCSCD, driver: VPCD_DRIVER });
  }
  if (wanted === 'exclusive-lock') return wanted;
  if (mountNamespaceAvailable()) return 'mount-namespace';
  if (wanted === undefined && isRoot) return 'exclusive-lock';
  const refused = `this process (uid ${process.getuid?.()}) may not make a mount namespace (\`unshare ${unshareFlags.join(' ')}\` is refused)`;
  const remedy = isRoot
    ? 'Give it CAP_SYS_ADMIN (a container needs --cap-add SYS_ADMIN), let it run pcscd on the standard socket (isolation exclusive-lock)'
    : 'Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also '
      + 'kernel.apparmor_restrict_unprivileged_userns=0), run as root';
  throw new DeviceError('PCSC_SIMULATOR_UNAVAILABLE', `Cannot start a private pcscd: ${refused}`
    + `${isRoot ? '' : ', and only root may run pcscd on the standard socket'}. ${remedy}, ${ATTACH_TO_SYSTEM}.`,
  { isolation: wanted ?? null, root: isRoot });
}

/** Directories of processes that were killed before stop() ran. */
async function sweepAbandonedDirs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const owner = /^gatehouse-pcscd-(\d+)$/.exec(name)?.[1];
    if (owner && Number(owner) !== process.pid && !processAlive(Number(owner))) {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** libpcsclite keeps the first socket path a process used: one path per process, set before any context. */
function claimSocketPath(socketPath: string): void {
  if (claimedSocket !== undefined && claimedSocket !== socketPath) {
    throw new DeviceError('PCSC_SOCKET_FIXED', `This process already talks to pcscd at ${claimedSocket}; libpcsclite `
      + `cannot switch to ${socketPath}. Use one isolation mode per process.`, { claimed: claimedSocket, wanted: socketPath });
  }
  claimedSocket = socketPath;
  process.env.PCSCLITE_CSOCK_NAME = socketPath;
}

interface Daemon {
  readonly child: ChildProcess;
  /** Why the process is gone (exit code, signal or spawn failure), or undefined while it runs. */
  ended(): string | undefined;
  output(): string;
  stop(): Promise<void>;
}

function launch(isolation: PcscdIsolation, runDir: string, confDir: string, debug: boolean): Daemon {
  const debugFlags = debug ? '--debug --apdu' : '';
  const child = isolation === 'mount-namespace'
    ? spawn('unshare', [...unshareFlags, '--', 'sh', '-c', NAMESPACE_SCRIPT, 'gatehouse-pcscd', runDir, confDir, debugFlags],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('setpriv', ['--pdeathsig', 'TERM', PCSCD, '--foreground', '--config', confDir, ...(debug ? ['--debug', '--apdu'] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = `exit ${code ?? signal}`;
      resolve();
    });
    child.once('error', (error) => {
      ended = `could not start ${child.spawnfile}: ${error.message}`;
      resolve();
    });
  });
  // If this process ends without stop(), pcscd must not outlive it (pdeathsig covers crashes).
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    child,
    ended: () => ended,
    output: () => output,
    stop: async () => {
      process.off('exit', killOnExit);
      if (ended === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves with the reader list once pcscd accepts PC/SC clients; rejects if it exits first. */
async function waitUntilServing(daemon: Daemon): Promise<string[]> {
  const { Context } = smartcardPackage();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ended = daemon.ended();
    if (ended !== undefined) {
      throw new DeviceError('PCSC_SIMULATOR_FAILED', `The private pcscd ended (${ended}) before it served. It said:\n${daemon.output()}`,
        { ended });
    }
    try {
      const context = new Context();
      try {
        return context.listReaders().map((reader) => reader.name);
      } finally {
        context.close();
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new DeviceError('PCSC_SIMULATOR_FAILED',
        `The private pcscd did not serve within ${READY_TIMEOUT_MS / 1000} s. It said:\n${daemon.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port P with P + 1 also free on every interface (vpcd binds INADDR_ANY for its two slots). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const first = await listen(0);
    const port = (first.address() as { port: number }).port;
    const second = port < 65_535 ? await listen(port + 1).catch(() => undefined) : undefined;
    await Promise.all([first, second].map((server) => server && new Promise((resolve) => server.close(resolve))));
    if (second) return port;
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => resolve(server));
  });
}

/**
 * Takes turns on the standard socket: a lock directory holding the owner's pid; a lock
 * whose owner died is taken over. Refuses when a pcscd that is not ours (the system's)
 * owns the socket.
 */
async function acquireSystemSocket(): Promise<() => void> {
  const lockDir = join(tmpdir(), 'gatehouse-pcscd.lock');
  const ownerFile = join(lockDir, 'owner');
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileIfAny(ownerFile));
      if (owner && !processAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const release = (): void => {
    process.off('exit', release);
    rmSync(lockDir, { recursive: true, force: true });
  };
  process.once('exit', release);
  if (existsSync(SYSTEM_SOCKET) && await socketServed(SYSTEM_SOCKET)) {
    release();
    throw new DeviceError('PCSC_SIMULATOR_UNAVAILABLE', `${SYSTEM_SOCKET} exists: another pcscd (the system's?) owns the `
      + 'standard socket, and this process cannot make a mount namespace to run its own beside it. Stop that pcscd '
      + `(systemctl stop pcscd.socket pcscd), allow mount namespaces (unshare), ${ATTACH_TO_SYSTEM}.`,
    { socket: SYSTEM_SOCKET });
  }
  return release;
}

/** A socket file left by a pcscd that died is not served; pcscd replaces it. */
function socketServed(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function readFileIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
