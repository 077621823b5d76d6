// Detection on this machine's real listings with a simulator's socat pty: what is and is not
// detectable. serialport lists the ports udev knows as serial, and a pseudo-terminal is none
// of them, so the pty alone is not found; with a by-id link to it (what udev makes for a USB
// serial device) it is listed under that stable name. HID and PC/SC answer or leave a note.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDevices } from '../../../../main/devices/device-detection.js';
import { startMrzSimulator } from '../../../../native/sim/mrz-sim.js';
import { useScratchSpace } from '../../native/scratch-space.js';

const scratch = useScratchSpace('gatehouse-detect-');

/** An idle MRZ reader simulator on a socat pty; resolves with its link and the pty it points at. */
async function simulatedPty(): Promise<{ link: string; pty: string }> {
  const sim = await startMrzSimulator({ link: scratch.path('mrz'), scenario: 'idle' });
  scratch.defer(() => sim.stop());
  return { link: sim.path, pty: fs.realpathSync(sim.path) };
}

describe('device detection with a real pty', () => {
  it('does not find a bare pty among the serial ports', async () => {
    const { pty } = await simulatedPty();
    const detected = await detectDevices({ byIdDir: scratch.path('no-by-id') });
    expect(pty).toMatch(/^\/dev\/pts\/\d+$/);
    expect(detected.serial.map((port) => port.path)).not.toContain(pty);
    for (const port of detected.serial) expect(port.path).toMatch(/^\/dev\/tty/);
    // HID and PC/SC either list what they see or say why they could not.
    expect(Array.isArray(detected.hid) && Array.isArray(detected.chipReaders)).toBe(true);
  });

  it('lists the pty under the stable name a by-id link gives it', async () => {
    const { link, pty } = await simulatedPty();
    const byId = scratch.path('by-id');
    fs.mkdirSync(byId);
    const stable = path.join(byId, 'usb-Gatehouse_Simulated_MRZ_Reader_0001-if00-port0');
    fs.symlinkSync(link, stable);
    const detected = await detectDevices({ byIdDir: byId });
    expect(detected.serial).toContainEqual({
      path: pty, stablePath: stable, vendorId: null, productId: null, manufacturer: null, product: null, serialNumber: null,
    });
  });
});
