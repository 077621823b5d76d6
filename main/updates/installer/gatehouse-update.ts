// The entry file gatehouse-update.service runs with the package's own Node
// (/opt/gatehouse/node/bin/node /opt/gatehouse/dist/main/updates/installer/gatehouse-update.js apply).
import { main } from './installer-cli.js';

await main(process.argv);
