// The compiled files systemd units run by path are found in the unit texts, so they ship as
// entries of the package's import graph.
import { describe, expect, it } from 'vitest';
import { filesRunByUnits } from '../../../../tools/package/system-files.js';

describe('filesRunByUnits', () => {
  it('finds the scripts under the install folder that ExecStart lines run', () => {
    const units = [
      '[Service]\nExecStart=/opt/gatehouse/node/bin/node /opt/gatehouse/dist/main/updates/installer/gatehouse-update.js apply --data /var/lib/gatehouse\n',
      '[Service]\nExecStart=/usr/bin/gatehouse serve --port ${GATEHOUSE_PORT}\nExecStartPre=/opt/gatehouse/bin/check.cjs\n',
      '[Service]\nExecStart=/opt/gatehouse-authority/dist/authority/x.js\n',
    ];
    expect(filesRunByUnits('/opt/gatehouse', units)).toEqual(['bin/check.cjs', 'dist/main/updates/installer/gatehouse-update.js']);
  });
});
