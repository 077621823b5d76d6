#!/usr/bin/env node
// The installed `gatehouse-authority` command: runs the compiled reference-authority CLI from dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/authority/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('gatehouse-authority: not built yet; run "npm install" (or "npm run build") in the Gatehouse folder first.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
