// Device detection on stand-in listings and a temporary folder of symlinks in place of
// /dev/serial/by-id: stable names resolved to the ports they point at, USB ids as four
// lower-case hex digits, HID interfaces once per path, and whatever cannot be listed (no
// node-hid, pcscd away or slow) as a note instead of a failure.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectDevices, stableSerialNames, usbId, type DetectionSources } from '../../../../main/devices/device-detection.js';
import { DeviceError } from '../../../../native/device-error.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder standing in for /dev with device files, and a by-id folder of links to them. */
function fakeDev(devices: string[], links: Record<string, string>): { dev: string; byId: string } {
  const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dev-'));
  dirs.push(dev);
  const byId = path.join(dev, 'serial', 'by-id');
  fs.mkdirSync(byId, { recursive: true });
  for (const device of devices) fs.writeFileSync(path.join(dev, device), '');
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(path.join('..', '..', target), path.join(byId, name));
  return { dev, byId };
}

const nothing: Partial<DetectionSources> = {
  listSerialPorts: async () => [],
  listHidDevices: async () => [],
  listChipReaders: async () => [],
};

describe('usbId', () => {
  it('writes vendor and product ids as four lower-case hex digits', () => {
    expect([usbId(0x403), usbId(0x6001), usbId(0), usbId(0xffff)]).toEqual(['0403', '6001', '0000', 'ffff']);
    expect([usbId('0403'), usbId('0x0403'), usbId('ABCD'), usbId('403'), usbId(' 1a86 ')]).toEqual(['0403', '0403', 'abcd', '0403', '1a86']);
  });

  it('has none for what is no 16-bit id', () => {
    expect([usbId(undefined), usbId(null), usbId(''), usbId('xyz'), usbId('12345'), usbId(0x10000), usbId(-1), usbId(1.5)])
      .toEqual([null, null, null, null, null, null, null, null]);
  });
});

describe('stableSerialNames', () => {
  it('resolves each by-id link to its device, keeping the first name per device and skipping dangling links', async () => {
    const { dev, byId } = fakeDev(['ttyUSB0', 'ttyACM0'], {
      'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0': 'ttyUSB0',
      'usb-Arduino_Uno_7563-if00': 'ttyACM0',
      'usb-Prolific_gone-if00-port0': 'ttyUSB9',
      'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0-alias': 'ttyUSB0',
    });
    expect(await stableSerialNames(byId)).toEqual(new Map([
      [fs.realpathSync(path.join(dev, 'ttyACM0')), path.join(byId, 'usb-Arduino_Uno_7563-if00')],
      [fs.realpathSync(path.join(dev, 'ttyUSB0')), path.join(byId, 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0')],
    ]));
  });

  it('has no names when udev made no folder (no USB serial device since boot)', async () => {
    expect(await stableSerialNames('/nonexistent/serial/by-id')).toEqual(new Map());
  });
});

describe('detectDevices', () => {
  it('lists the ports with their stable names and ids, and a by-id port the listing missed from its link alone', async () => {
    const { dev, byId } = fakeDev(['ttyUSB0', 'ttyS0', 'ttyCH341USB0'], {
      'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0': 'ttyUSB0',
      'usb-1a86_USB_Serial-if00-port0': 'ttyCH341USB0',
    });
    const device = (name: string) => fs.realpathSync(path.join(dev, name));
    const detected = await detectDevices({
      ...nothing,
      byIdDir: byId,
      listSerialPorts: async () => [
        { path: device('ttyUSB0'), manufacturer: 'FTDI', serialNumber: 'A50285BI', pnpId: undefined, locationId: undefined, vendorId: '0403', productId: '6001' },
        { path: device('ttyS0'), manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
      ],
    });
    expect(detected).toEqual({
      serial: [
        { path: device('ttyCH341USB0'), stablePath: path.join(byId, 'usb-1a86_USB_Serial-if00-port0'), vendorId: null, productId: null, manufacturer: null, product: null, serialNumber: null },
        { path: device('ttyS0'), stablePath: null, vendorId: null, productId: null, manufacturer: null, product: null, serialNumber: null },
        { path: device('ttyUSB0'), stablePath: path.join(byId, 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'), vendorId: '0403', productId: '6001', manufacturer: 'FTDI', product: null, serialNumber: 'A50285BI' },
      ],
      hid: [],
      chipReaders: [],
      notes: [],
    });
  });

  it('lists each HID path once, with hex ids, leaving out interfaces without a path', async () => {
    const detected = await detectDevices({
      ...nothing,
      byIdDir: '/nonexistent',
      listHidDevices: async () => [
        { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw1', manufacturer: 'Honeywell', product: 'Imaging Scanner' },
        { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw1', manufacturer: 'Honeywell', product: 'Imaging Scanner' },
        { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', manufacturer: '', product: 'Keyboard' },
        { vendorId: 0x046d, productId: 0xc31c },
      ],
    });
    expect(detected.hid).toEqual([
      { path: '/dev/hidraw0', vendorId: '046d', productId: 'c31c', manufacturer: null, product: 'Keyboard' },
      { path: '/dev/hidraw1', vendorId: '0c2e', productId: '0b61', manufacturer: 'Honeywell', product: 'Imaging Scanner' },
    ]);
  });

  it('notes what it could not look at and lists the rest', async () => {
    const detected = await detectDevices({
      byIdDir: '/nonexistent',
      listSerialPorts: async () => { throw new Error('spawn udevadm ENOENT'); },
      listHidDevices: () => { throw new Error('Cannot find module \'node-hid\''); },
      listChipReaders: async () => { throw new DeviceError('PCSC_NOT_RUNNING', 'The PC/SC service (pcscd) is not reachable.'); },
    });
    expect(detected).toEqual({
      serial: [], hid: [], chipReaders: [],
      notes: [
        'Serial ports could not be listed (spawn udevadm ENOENT); is udevadm installed?',
        'USB-HID devices could not be listed: Cannot find module \'node-hid\'. Install the optional node-hid module to use HID readers.',
        'Chip readers could not be listed: The PC/SC service (pcscd) is not reachable.',
      ],
    });
  });

  it('takes pcscd without readers as no readers, and goes on without a pcscd that does not answer', async () => {
    const none = await detectDevices({ ...nothing, byIdDir: '/nonexistent', listChipReaders: async () => { throw new DeviceError('PCSC_NO_READER', 'No readers available'); } });
    expect(none).toMatchObject({ chipReaders: [], notes: [] });
    const readers = await detectDevices({ ...nothing, byIdDir: '/nonexistent', listChipReaders: async () => ['ACS ACR1252 1S CL Reader PICC 00 00'] });
    expect(readers.chipReaders).toEqual(['ACS ACR1252 1S CL Reader PICC 00 00']);
    const hung = await detectDevices({ ...nothing, byIdDir: '/nonexistent', pcscTimeoutMs: 50, listChipReaders: () => new Promise(() => undefined) });
    expect(hung.notes).toEqual(['Chip readers could not be listed: pcscd did not list its readers within 0.05 s']);
  });
});
