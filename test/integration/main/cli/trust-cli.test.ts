// `gatehouse trust import|list` as a technician runs them: certificates and a master list
// imported (and audited), listed by country, and a file with nothing usable refused (exit 2)
// with nothing kept.

import fs from 'node:fs';
import { openRawStore } from '../../../fixtures/store-key.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../../../native/sim/emrtd/test-pki.js';
import { builtCli, runCli, tempDataDir } from './run-cli.js';

const dir = tempDataDir();
const pki = createTestPki();

beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
  fs.writeFileSync(path.join(dir, 'csca-zz.der'), pki.cscas.otherCountry.der);
  fs.writeFileSync(path.join(dir, 'utopia.ml'), pki.masterList);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('gatehouse trust', () => {
  it('imports a DER certificate and a master list, lists them by country and audits each import', async () => {
    const imported = await runCli(['trust', 'import', path.join(dir, 'csca-zz.der'), path.join(dir, 'utopia.ml'), '--json', '--data', dir]);
    expect(imported.code, imported.stderr).toBe(0);
    const { imports } = JSON.parse(imported.stdout) as { imports: { kind: string; added: number }[] };
    expect(imports.map(({ kind, added }) => ({ kind, added }))).toEqual([{ kind: 'certificates', added: 1 }, { kind: 'master-list', added: 3 }]);

    const listed = await runCli(['trust', 'list', '--json', '--data', dir]);
    const { cscas } = JSON.parse(listed.stdout) as { cscas: { country: string; source: string }[] };
    expect(cscas.map((c) => c.country)).toEqual(['UT', 'UT', 'UT', 'ZZ']);
    expect(cscas.at(-1)).toMatchObject({ source: 'csca-zz.der' });

    const text = await runCli(['trust', 'list', '--data', dir]);
    expect(text.stdout).toMatch(/^ZZ {2}.*CSCA Zedland.*valid until \d{4}-\d\d-\d\d {2}\(csca-zz\.der\)$/m);

    const db = openRawStore(path.join(dir, 'gatehouse.sqlite'), { readonly: true });
    const audited = db.prepare("SELECT actor, details FROM audit WHERE action = 'trust.import' ORDER BY seq").all() as { actor: string; details: string }[];
    db.close();
    expect(audited.map((row) => [row.actor, JSON.parse(row.details)])).toEqual([
      ['cli', { file: 'csca-zz.der', kind: 'certificates', added: 1, alreadyHeld: 0, refused: 0 }],
      ['cli', { file: 'utopia.ml', kind: 'master-list', added: 3, alreadyHeld: 0, refused: 0 }],
    ]);
  });

  it('refuses a file with no usable certificate, exit 2, and keeps nothing', async () => {
    const empty = tempDataDir();
    const refused = await runCli(['trust', 'import', path.join(dir, 'notes.txt'), '--data', empty]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Nothing was imported from notes\.txt.*\(CSCA_FILE_REFUSED\)/);
    const listed = await runCli(['trust', 'list', '--data', empty]);
    expect(listed.stdout).toMatch(/No CSCA certificates/);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
