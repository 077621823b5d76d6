// `npm start`'s choice of host: Electron only when its binary really is there.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseHost, type StartContext } from '../../../../main/app/host-choice.js';

const root = join('/opt', 'gatehouse');
const electronBinary = join(root, 'node_modules', 'electron', 'dist', 'electron');

function context(overrides: Partial<StartContext>): StartContext {
  return {
    locateElectron: async () => electronBinary,
    exists: (path) => path === electronBinary,
    projectRoot: root,
    node: '/usr/bin/node',
    args: ['--data', '/srv/gatehouse'],
    ...overrides,
  };
}

describe('chooseHost', () => {
  it('runs the Electron binary on the project root when it is installed', async () => {
    await expect(chooseHost(context({}))).resolves.toEqual({
      host: 'electron',
      reason: 'Starting the Electron kiosk',
      command: electronBinary,
      args: [root, '--data', '/srv/gatehouse'],
    });
  });

  it('falls back to `gatehouse serve` when the electron package throws for a missing binary', async () => {
    const missing = context({
      locateElectron: async () => {
        throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again');
      },
    });
    await expect(chooseHost(missing)).resolves.toEqual({
      host: 'browser',
      reason: "Electron's binary is not installed here; starting the browser host with the system Chromium",
      command: '/usr/bin/node',
      args: [join(root, 'bin', 'gatehouse.js'), 'serve', '--data', '/srv/gatehouse'],
    });
  });

  it('falls back when the path Electron names does not exist', async () => {
    const choice = await chooseHost(context({ exists: () => false }));
    expect(choice.host).toBe('browser');
  });

  it('says when it starts with simulated devices, and passes --simulate on to either host', async () => {
    const args = ['--simulate', '--simulated-chip'];
    const electron = await chooseHost(context({ args }));
    expect(electron.reason).toBe('Starting the Electron kiosk, with simulated devices for those not set up (--simulate)');
    expect(electron.args).toEqual([root, ...args]);
    const browser = await chooseHost(context({ args, exists: () => false }));
    expect(browser.reason).toMatch(/starting the browser host with the system Chromium, with simulated devices .*\(--simulate\)$/);
    expect(browser.args).toEqual([join(root, 'bin', 'gatehouse.js'), 'serve', ...args]);
  });
});
