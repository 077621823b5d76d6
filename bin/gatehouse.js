#!/usr/bin/env node
// The installed `gatehouse` command: runs the compiled CLI from dist/.
import { importBuilt } from './built.js';

const { main } = await importBuilt('main/cli/main.js');
await main(process.argv);
