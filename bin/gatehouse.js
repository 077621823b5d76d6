#!/usr/bin/env node
// The `gatehouse` command: runs the compiled CLI from dist/. In a development checkout that is
// the development CLI (dist/tools/cli: the kiosk's commands plus calibration and synthetic
// records); an installed kiosk ships only the kiosk's CLI (dist/main/cli).
import { existsSync } from 'node:fs';
import { importBuilt } from './built.js';

const development = existsSync(new URL('../dist/tools/cli/main.js', import.meta.url));
const { main } = await importBuilt(development ? 'tools/cli/main.js' : 'main/cli/main.js');
await main(process.argv);
