// The compiled files systemd units run by path are found in the unit texts, so they ship as
// entries of the package's import graph; postinst starts every unit but the one that runs dpkg.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { KIOSK_PACKAGE } from '../../../../tools/package/deb-packages.js';
import { filesRunByUnits, systemFilePlacements, unitsStartedByPostinst } from '../../../../tools/package/system-files.js';

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

describe('unitsStartedByPostinst', () => {
  it('starts the kiosk\'s units and the update path unit, never the update installer\'s service', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    expect(unitsStartedByPostinst(systemFilePlacements(root, KIOSK_PACKAGE)).sort())
      .toEqual(['gatehouse-kiosk.service', 'gatehouse-update.path', 'gatehouse.service']);
  });
});
