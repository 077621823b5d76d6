// The technician's device set-up: what is plugged in (serial ports with their stable
// /dev/serial/by-id names, HID devices, PC/SC readers), which device fills each role and with
// which settings, the fingers the person flow asks for, and a test of each device (a document
// read, a finger with its image and quality, a chip reader's card, a camera frame's face boxes).
// Device settings travel as JSON objects: each family validates its own (native/ is not
// imported here, screens type-check this file without Node); the families' JSON Schemas come
// with `devices.setup` so the screen can lay out their fields.

import { z } from 'zod';
import { procedure } from '../define.js';
import { DeviceStatus, DocumentField, Empty, FingerPosition, FingerQuality, JpegBase64 } from '../schemas.js';

/** A role a technician configures; the camera is chosen in the screen's browser. */
export const ConfigurableRole = z.enum(['document-reader', 'chip-reader', 'fingerprint', 'camera']);
/** A role the kiosk can test from its own side (the camera is tested with `devices.testCamera`). */
export const TestableRole = z.enum(['document-reader', 'chip-reader', 'fingerprint']);

/** USB ids as four lower-case hex digits. */
const UsbId = z.string().regex(/^[0-9a-f]{4}$/);

export const DetectedSerialPort = z.object({
  /** /dev/ttyUSB0, /dev/ttyACM0 …: may change when replugged. */
  path: z.string(),
  /** /dev/serial/by-id/… (stays across replugging) when udev made one; what a technician should configure. */
  stablePath: z.string().nullable(),
  vendorId: UsbId.nullable(),
  productId: UsbId.nullable(),
  manufacturer: z.string().nullable(),
  product: z.string().nullable(),
  serialNumber: z.string().nullable(),
});

export const DetectedHidDevice = z.object({
  path: z.string(),
  vendorId: UsbId,
  productId: UsbId,
  manufacturer: z.string().nullable(),
  product: z.string().nullable(),
});

export const DetectedDevices = z.object({
  serial: z.array(DetectedSerialPort),
  hid: z.array(DetectedHidDevice),
  /** PC/SC reader names as pcscd reports them. */
  chipReaders: z.array(z.string()),
  /** What could not be looked at (no node-hid, pcscd not running …), in English for the technician. */
  notes: z.array(z.string()),
});

/** A device family a technician can choose for a role, with its settings as JSON Schema (titles and descriptions for the form). */
export const DeviceFamilyView = z.object({
  kind: z.string(),
  role: z.enum(['document-reader', 'chip-reader', 'fingerprint']),
  title: z.string(),
  settingsSchema: z.record(z.string(), z.unknown()),
});

/** A configured device's settings as stored, `kind` included; a module password is never sent back (`passwordSet` says whether one is stored). */
export const DeviceSettingsView = z.record(z.string(), z.unknown());

/** The camera the kiosk uses, as the browser names it; null: the browser's default camera. */
export const CameraChoice = z.object({ deviceId: z.string().min(1).max(256), label: z.string().max(256) }).strict().nullable();

/** A device's live state with the technical detail of its last error: for the technician only. */
export const DeviceDiagnosis = DeviceStatus.extend({
  /** The last error as the driver or the operating system said it (English, technical). */
  lastError: z.object({ at: z.string(), code: z.string().nullable(), detail: z.string() }).nullable(),
  /** When the device last changed state. */
  since: z.string(),
});

export const DeviceSetup = z.object({
  documentReader: DeviceSettingsView.nullable(),
  chipReader: DeviceSettingsView.nullable(),
  fingerprint: DeviceSettingsView.nullable(),
  camera: CameraChoice,
  /** The fingers the person flow asks for, in capture order (ten-print order: right thumb 1 … left little 10). */
  fingers: z.array(FingerPosition),
  /** Which roles run on a simulator right now (only with --simulate). */
  simulated: z.object({ documentReader: z.boolean(), chipReader: z.boolean(), fingerprint: z.boolean() }),
  /** Whether this kiosk may run simulators at all (started with --simulate, never the packaged service). */
  simulationAllowed: z.boolean(),
  families: z.array(DeviceFamilyView),
  detected: DetectedDevices,
  devices: z.array(DeviceDiagnosis),
});

export const DocumentTestResult = z.object({
  role: z.literal('document-reader'),
  source: z.enum(['mrz', 'cnid']),
  documentType: z.string(),
  valid: z.boolean(),
  fields: z.array(DocumentField),
});
export const FingerprintTestResult = z.object({
  role: z.literal('fingerprint'),
  /** The captured image as a PNG data: URL. */
  image: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  quality: FingerQuality,
});
export const ChipReaderTestResult = z.object({
  role: z.literal('chip-reader'),
  reader: z.string(),
  cardPresent: z.boolean(),
  /** The card's answer to reset, hex; null without a card. */
  atr: z.string().nullable(),
});
export const DeviceTestResult = z.discriminatedUnion('role', [DocumentTestResult, FingerprintTestResult, ChipReaderTestResult]);

const technician = ['technician'] as const;

export const devicesProcedures = {
  'devices.setup': procedure({
    summary: 'What the device set-up screen shows: configured devices, detected ports and readers, families, fingers, live states.',
    input: Empty,
    output: DeviceSetup,
    access: technician,
  }),
  'devices.configure': procedure({
    summary: 'Set (or, with null, remove) the device that fills a role; validated by its family, takes effect at once.',
    input: z.strictObject({
      role: ConfigurableRole,
      /** The family's settings with its `kind` (camera: a CameraChoice); a fingerprint module's password left out keeps the stored one. */
      settings: z.record(z.string(), z.unknown()).nullable(),
    }),
    output: DeviceSetup,
    access: technician,
    audit: 'devices.configured',
  }),
  'devices.setFingers': procedure({
    summary: 'The fingers the person flow asks for: one to ten, each once, in the order given.',
    input: z.strictObject({ fingers: z.array(FingerPosition).min(1).max(10) }),
    output: DeviceSetup,
    access: technician,
    audit: 'devices.fingers-set',
  }),
  'devices.test': procedure({
    summary: 'Test the device of a role: wait for a document, a finger or a card and show what it gave.',
    input: z.strictObject({ role: TestableRole, timeoutSeconds: z.number().int().min(5).max(120).default(30) }),
    output: DeviceTestResult,
    access: technician,
    audit: 'devices.tested',
  }),
  'devices.cancelTest': procedure({
    summary: 'Stop waiting in the running test of a role (the technician pressed "Stop waiting"); the test ends as cancelled.',
    input: z.strictObject({ role: TestableRole }),
    output: z.object({ cancelled: z.boolean() }),
    access: technician,
  }),
  'devices.testCamera': procedure({
    summary: 'Find the faces in one camera frame (the camera test): boxes in frame pixels.',
    input: z.strictObject({ jpeg: JpegBase64 }),
    output: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      boxes: z.array(z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
    }),
    access: technician,
  }),
} as const;

