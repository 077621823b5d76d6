// Decides what `npm start` runs: the Electron kiosk when Electron's binary is installed,
// else the browser host with the system Chromium (machines that reach only the npm
// registry cannot download that binary). bin/start.js runs the chosen command. `npm start`
// passes --simulate (a development kiosk), and the line printed says so.

import { join } from 'node:path';

export interface HostChoice {
  host: 'electron' | 'browser';
  /** One line for the person starting the kiosk: which host and why. */
  reason: string;
  command: string;
  args: string[];
}

export interface StartContext {
  /** Electron's executable path, as `import('electron')` gives it; rejects when its binary was never installed. */
  locateElectron(): Promise<string>;
  exists(path: string): boolean;
  projectRoot: string;
  /** The Node.js executable that runs the browser host. */
  node: string;
  /** Passed on to whichever host starts (e.g. --data DIR). */
  args: readonly string[];
}

export async function chooseHost({ locateElectron, exists, projectRoot, node, args }: StartContext): Promise<HostChoice> {
  const electron = await locateElectron().catch(() => null);
  const simulated = args.includes('--simulate') ? ', with simulated devices for those not set up (--simulate)' : '';
  if (electron !== null && exists(electron)) {
    return { host: 'electron', reason: `Starting the Electron kiosk${simulated}`, command: electron, args: [projectRoot, ...args] };
  }
  return {
    host: 'browser',
    reason: `Electron's binary is not installed here; starting the browser host with the system Chromium${simulated}`,
    command: node,
    args: [join(projectRoot, 'bin', 'gatehouse.js'), 'serve', ...args],
  };
}
