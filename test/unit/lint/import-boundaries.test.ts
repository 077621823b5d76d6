// The dependency direction is a lint rule; these probes prove the rule bites where it
// should and stays quiet where imports are allowed.

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('allows electron only in main/app/', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await restrictedImports('main/app/probe.ts', code)).toEqual([]);
    expect(await restrictedImports('main/kiosk/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('native/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('renderer/src/probe.ts', code)).toHaveLength(1);
  });

  it('keeps native/ free of main/', async () => {
    const code = "import { openKiosk } from '../../main/kiosk/kiosk.js';\nexport const k = openKiosk;\n";
    expect(await restrictedImports('native/idreader/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('main/cli/probe.ts', "import { DeviceError } from '../../native/device-error.js';\nexport const e = DeviceError;\n")).toEqual([]);
  });

  it('lets the renderer import only types from main/rpc/', async () => {
    expect(await restrictedImports('renderer/src/probe.ts',
      "import type { Procedures } from '../../main/rpc/contract';\nexport type P = Procedures;\n")).toEqual([]);
    expect(await restrictedImports('renderer/src/probe.ts',
      "import { procedures } from '../../main/rpc/contract';\nexport const p = procedures;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/src/probe.ts',
      "import type { Kiosk } from '../../main/kiosk/kiosk';\nexport type K = Kiosk;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/src/probe.ts',
      "import { DeviceError } from '../../native/device-error';\nexport const d = DeviceError;\n")).toHaveLength(1);
  });
});
