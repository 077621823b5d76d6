// Finding the USB sticks to write a support bundle to, from a /proc/mounts text and a /sys tree
// laid out as the kernel lays it out (partitions under their disk, `removable`, USB in the path).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findUsbFolders } from '../../../../main/diagnostics/usb-folders.js';

const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sys-'));
afterAll(() => fs.rmSync(sys, { recursive: true, force: true }));

/** /sys/devices/<parent>/block/<disk>[/<partition>] with /sys/class/block links, as udev sees them. */
function blockDevice(parent: string, disk: string, removable: boolean, partition?: string): void {
  const diskDir = path.join(sys, 'devices', parent, 'block', disk);
  fs.mkdirSync(diskDir, { recursive: true });
  fs.writeFileSync(path.join(diskDir, 'removable'), removable ? '1\n' : '0\n');
  fs.mkdirSync(path.join(sys, 'class', 'block'), { recursive: true });
  fs.symlinkSync(diskDir, path.join(sys, 'class', 'block', disk));
  if (partition) {
    fs.mkdirSync(path.join(diskDir, partition));
    fs.writeFileSync(path.join(diskDir, partition, 'partition'), '1\n');
    fs.symlinkSync(path.join(diskDir, partition), path.join(sys, 'class', 'block', partition));
  }
}

blockDevice('pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0', 'sdb', false, 'sdb1'); // a USB disk that says it is fixed
blockDevice('platform/card', 'mmcblk0', true, 'mmcblk0p1'); // an SD card
blockDevice('pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0', 'sda', false, 'sda2'); // the kiosk's own disk

const MOUNTS = [
  '/dev/sda2 / ext4 rw,relatime 0 0',
  '/dev/sda2 /media/kiosk/backup ext4 rw,relatime 0 0',
  '/dev/sdb1 /media/kiosk/SUPPORT\\040STICK vfat rw,nosuid,nodev 0 0',
  '/dev/mmcblk0p1 /run/media/tech/CARD exfat rw 0 0',
  'tmpfs /media/kiosk/tmp tmpfs rw 0 0',
  '/dev/sdb1 /mnt/elsewhere vfat rw 0 0',
].join('\n');

describe('findUsbFolders', () => {
  it('lists removable and USB media mounted where automounters put them', () => {
    expect(findUsbFolders({ mounts: () => MOUNTS, sysRoot: sys })).toEqual([
      { path: '/media/kiosk/SUPPORT STICK', device: '/dev/sdb1', label: 'SUPPORT STICK' },
      { path: '/run/media/tech/CARD', device: '/dev/mmcblk0p1', label: 'CARD' },
    ]);
  });

  it('finds none on a machine without sticks', () => {
    expect(findUsbFolders({ mounts: () => '/dev/sda2 / ext4 rw 0 0\n', sysRoot: sys })).toEqual([]);
  });
});
