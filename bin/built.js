// Loads a module of the compiled app from dist/, or explains that the app must be
// built first. Shared by the bin/ entry points.
import { existsSync } from 'node:fs';

export async function importBuilt(relativePath) {
  const entry = new URL(`../dist/${relativePath}`, import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('gatehouse: not built yet; run "npm install" (or "npm run build") in the Gatehouse folder first.\n');
    process.exit(2);
  }
  return import(entry.href);
}
