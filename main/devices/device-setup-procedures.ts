// RPC handlers of the technician's device set-up: what is configured, plugged in and running
// (`devices.setup`), changing a role's device or the fingers asked for (validated, audited,
// running at once), and testing a device. While a role is under test its readings are the
// test's: `DeviceTests.running` tells the kiosk to keep documents read then from enrollments.

import { z } from 'zod';
import type { DeviceRole } from '../../native/device-family.js';
import type { ScreenSession } from '../auth/screen-session.js';
import { writeFingers, readFingerprintPolicy } from '../enrollment/fingerprint-policy.js';
import { GatehouseError } from '../errors.js';
import type { FaceService } from '../face/face-service.js';
import { decodeImage } from '../face/rgba-image.js';
import type { StatusBoard } from '../kiosk/status-board.js';
import type { Procedures } from '../rpc/contract.js';
import type { HandlerContext, Handlers } from '../rpc/dispatcher.js';
import type { DeviceSetup, DeviceTestResult } from '../rpc/procedures/devices.js';
import type { Db } from '../store/database.js';
import { readDevicesConfig } from './device-config.js';
import { detectDevices } from './device-detection.js';
import { FAMILIES } from './device-registry.js';
import type { DeviceRig } from './device-rig.js';
import { deviceSettingsView, writeDeviceSettings } from './device-settings.js';
import { testChipReader, testDocumentReader, testFingerprint } from './device-test.js';

type SetupMethods = 'devices.setup' | 'devices.configure' | 'devices.setFingers' | 'devices.test' | 'devices.cancelTest' | 'devices.testCamera';

/** The roles under test now, one test per role at a time, each with what stops it early. */
export class DeviceTests {
  readonly #running = new Map<DeviceRole, AbortController>();

  running(role: DeviceRole): boolean {
    return this.#running.has(role);
  }

  /** Runs `test` with a signal that `cancel(role)` (or `alsoOn`, e.g. the screen's end) aborts. */
  async run<T>(role: DeviceRole, test: (signal: AbortSignal) => Promise<T>, alsoOn?: AbortSignal): Promise<T> {
    if (this.#running.has(role)) {
      throw new GatehouseError('DEVICES_TEST_RUNNING', `The ${role} is being tested already; wait for that test to end.`, { role });
    }
    const stop = new AbortController();
    this.#running.set(role, stop);
    try {
      return await test(alsoOn ? AbortSignal.any([stop.signal, alsoOn]) : stop.signal);
    } finally {
      this.#running.delete(role);
    }
  }

  /** Stops the test of `role` now; false when none runs. */
  cancel(role: DeviceRole): boolean {
    const stop = this.#running.get(role);
    stop?.abort();
    return stop !== undefined;
  }
}

export interface DeviceSetupDeps {
  db: Db;
  rig: () => DeviceRig | null;
  status: StatusBoard;
  face: FaceService;
  tests: DeviceTests;
}

/** A frame the face worker dropped for a newer one is sent again, this many times at most. */
const CAMERA_FRAME_ATTEMPTS = 3;

export function deviceSetupHandlers({ db, rig, status, face, tests }: DeviceSetupDeps): Pick<Handlers<Procedures, ScreenSession>, SetupMethods> {
  const setup = async (): Promise<z.input<typeof DeviceSetup>> => {
    const config = readDevicesConfig(db);
    const devices = rig();
    return {
      documentReader: deviceSettingsView(config.documentReader),
      chipReader: deviceSettingsView(config.chipReader),
      fingerprint: deviceSettingsView(config.fingerprint),
      camera: config.camera,
      fingers: readFingerprintPolicy(db).fingers,
      simulated: {
        documentReader: devices?.simulation != null,
        chipReader: devices?.chipSimulation != null,
        fingerprint: devices?.fingerprintSimulation != null,
      },
      simulationAllowed: devices?.simulationAllowed ?? false,
      families: FAMILIES.map(({ kind, role, title, config: schema }) => ({
        kind, role, title, settingsSchema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
      })),
      detected: await detectDevices(),
      devices: status.diagnoses(),
    };
  };

  /** Runs the test; a passed test is audited (a failed one is an error the dispatcher logs, with the device's fault). */
  const audited = async (role: DeviceRole, ctx: HandlerContext<ScreenSession>, test: (signal: AbortSignal) => Promise<z.input<typeof DeviceTestResult>>) => {
    // The screen's end (idle, logout, closed) ends its test too.
    const ended = new AbortController();
    const stopWatching = ctx.caller.onEnd(() => ended.abort());
    try {
      const result = await tests.run(role, test, ended.signal);
      return ctx.commit(() => result, () => ({ role, passed: true }));
    } finally {
      stopWatching();
    }
  };

  return {
    'devices.setup': setup,
    'devices.configure': async ({ role, settings }, ctx) => {
      ctx.commit(() => writeDeviceSettings(db, role, settings), (change) => ({ ...change }));
      await rig()?.applyStoredSettings();
      return setup();
    },
    'devices.setFingers': async ({ fingers }, ctx) => {
      ctx.commit(() => writeFingers(db, fingers), (change) => ({ ...change }));
      return setup();
    },
    'devices.test': ({ role, timeoutSeconds }, ctx) => {
      const timeoutMs = timeoutSeconds * 1000;
      return audited(role, ctx, (signal) => {
        const devices = rig();
        if (role === 'document-reader') return testDocumentReader(devices?.documentReader ?? null, timeoutMs, { signal });
        if (role === 'fingerprint') return testFingerprint(devices?.fingerprint ?? null, timeoutMs, { signal, owner: ctx.caller });
        return testChipReader(devices?.chipReader ?? null, timeoutMs, { signal });
      });
    },
    'devices.cancelTest': ({ role }) => ({ cancelled: tests.cancel(role) }),
    'devices.testCamera': async ({ jpeg }) => {
      // Decoded here, so a frame that is no picture is refused before the face worker starts.
      const frame = decodeImage(new Uint8Array(Buffer.from(jpeg, 'base64')));
      const client = await face.client();
      for (let attempt = 0; attempt < CAMERA_FRAME_ATTEMPTS; attempt++) {
        const result = await client.analyzeFrame(frame);
        if (result.status === 'analyzed') {
          const { width, height, faces } = result.analysis;
          return { width, height, boxes: faces.map((found) => found.box) };
        }
      }
      throw new GatehouseError('DEVICES_TEST_RUNNING', 'The face analysis is busy with another camera; test the camera again.', { role: 'camera' });
    },
  };
}
