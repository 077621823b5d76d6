#!/usr/bin/env node
// The installed `gatehouse` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('gatehouse: not built yet; run "npm install" (or "npm run build") in the Gatehouse folder first.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
await main(process.argv);
