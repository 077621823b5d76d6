// The USB sticks a technician can write a support bundle to: file systems mounted under
// /media/USER/LABEL or /run/media/USER/LABEL (where udisks and desktop automounters put them)
// whose block device is removable or hangs off a USB bus, read from /proc/mounts and /sys.

import fs from 'node:fs';
import path from 'node:path';

export interface UsbFolderView {
  path: string;
  device: string;
  label: string;
}

export interface MountSources {
  /** The text of /proc/mounts. */
  mounts(): string;
  /** Where /sys is (tests point it at a copy). */
  sysRoot: string;
}

const liveSources: MountSources = { mounts: () => fs.readFileSync('/proc/mounts', 'utf8'), sysRoot: '/sys' };

const AUTOMOUNT_ROOTS = [/^\/media\/[^/]+\/[^/]+$/, /^\/run\/media\/[^/]+\/[^/]+$/];

/** /proc/mounts writes space, tab, newline and backslash as octal escapes. */
const unescapeMount = (field: string) => field.replace(/\\([0-7]{3})/g, (_all, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** Whether the block device /dev/NAME (a disk or a partition of one) is removable or on USB. */
function isRemovable(device: string, sysRoot: string): boolean {
  const name = path.basename(device);
  let real: string;
  try {
    real = fs.realpathSync(path.join(sysRoot, 'class', 'block', name));
  } catch {
    return false;
  }
  const disk = fs.existsSync(path.join(real, 'partition')) ? path.dirname(real) : real;
  if (/\/usb\d*\//.test(disk)) return true;
  try {
    return fs.readFileSync(path.join(disk, 'removable'), 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The mounted removable media, in /proc/mounts order. */
export function findUsbFolders(sources: MountSources = liveSources): UsbFolderView[] {
  const found: UsbFolderView[] = [];
  for (const line of sources.mounts().split('\n')) {
    const [device, mountPoint] = line.split(' ');
    if (!device?.startsWith('/dev/') || mountPoint === undefined) continue;
    const folder = unescapeMount(mountPoint);
    if (!AUTOMOUNT_ROOTS.some((root) => root.test(folder))) continue;
    if (isRemovable(device, sources.sysRoot)) found.push({ path: folder, device, label: path.basename(folder) });
  }
  return found;
}
