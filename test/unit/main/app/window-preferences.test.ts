// Electron cannot run here, so this reads main.ts itself: the kiosk window keeps the
// sandbox, context isolation and web security on and Node integration and devtools off.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { expect, it } from 'vitest';

const source = ts.createSourceFile(
  'main.ts', readFileSync(new URL('../../../../main/app/main.ts', import.meta.url), 'utf8'), ts.ScriptTarget.ES2023, true,
);

/** The literal properties of every object literal assigned to `name` in main.ts. */
function objectsNamed(name: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === name && ts.isObjectLiteralExpression(node.initializer)) {
      const properties = node.initializer.properties.map((property) => [
        property.name?.getText(source),
        ts.isPropertyAssignment(property) ? property.initializer.getText(source) : property.getText(source),
      ]);
      found.push(Object.fromEntries(properties));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

it('opens exactly one window, sandboxed and isolated, without Node or devtools', () => {
  const [preferences, ...others] = objectsNamed('webPreferences');
  expect(others).toEqual([]);
  expect(preferences).toMatchObject({
    sandbox: 'true',
    contextIsolation: 'true',
    nodeIntegration: 'false',
    webSecurity: 'true',
    devTools: 'false',
    preload: 'preload',
  });
  expect(preferences).not.toHaveProperty('nodeIntegrationInSubFrames');
  expect(preferences).not.toHaveProperty('webviewTag');
});
