// The fingerprint service's handshake at each (re)connection: a step that fails is tried again,
// one that keeps failing leaves the scanner in error with the officer's problem (the technical
// fault beside it, for the technician), and nothing escapes as an unhandled rejection (which
// would end the kiosk process). A refused operation says the problem with a translated code.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import type { R30xDriver } from '../../../../native/fingerprint/r30x-driver.js';
import type { R30xModuleLink } from '../../../../native/fingerprint/r30x-family.js';
import type { R30xSystemParameters } from '../../../../native/fingerprint/r30x-protocol.js';
import type { DeviceFault } from '../../../../main/devices/device-problem.js';
import { FingerprintService } from '../../../../main/devices/fingerprint-service.js';
import { confirmationError, R30xConfirmation } from '../../../../native/fingerprint/r30x-protocol.js';

const PARAMETERS: R30xSystemParameters = {
  statusRegister: 0, status: { busy: false, matched: false, passwordVerified: true, imageBufferValid: false },
  systemId: 9, capacity: 300, securityLevel: 3, address: 0xffffffff, packetSize: 128, baud: 57_600,
};
const timeout = (name: string) => new DeviceError('R30X_TIMEOUT', `The fingerprint reader did not answer ${name} within 1000 ms.`);

/** A link that is connected at once, and a driver whose steps answer as `steps` say. */
function moduleWith(steps: Partial<Record<'connect' | 'setSysPara' | 'readSysPara', () => Promise<unknown>>>): R30xModuleLink {
  const link = Object.assign(new EventEmitter(), {
    transport: {},
    start() { link.emit('status', { state: 'connected' }); },
    async stop() {},
  });
  const driver = {
    connect: steps.connect ?? (async () => PARAMETERS),
    setSysPara: steps.setSysPara ?? (async () => undefined),
    readSysPara: steps.readSysPara ?? (async () => ({ ...PARAMETERS, packetSize: 256 })),
  };
  return { link, driverOn: () => driver as unknown as R30xDriver } as unknown as R30xModuleLink;
}

/** The next status with one of `states`, with the fault that came with it. */
const statusOf = (service: FingerprintService, states: string[]) => new Promise<{ state: string; problem?: string; fault: DeviceFault | null }>((resolve) => {
  service.on('status', (status, fault) => { if (states.includes(status.state)) resolve({ ...status, fault }); });
});

describe('FingerprintService handshake', () => {
  it('is ready with the widest packets once the module takes them', async () => {
    const service = new FingerprintService(moduleWith({}), { simulated: true });
    const settled = statusOf(service, ['ready', 'error']);
    service.start();
    expect(await settled).toMatchObject({ state: 'ready' });
  });

  it.each([
    ['connect', { connect: () => Promise.reject(timeout('VfyPwd')) }, /VfyPwd/],
    ['setting the packet size', { setSysPara: () => Promise.reject(timeout('SetSysPara')) }, /SetSysPara/],
    ['reading the parameters back', { readSysPara: () => Promise.reject(timeout('ReadSysPara')) }, /ReadSysPara/],
  ] as const)('reports an error, not a crash, when %s keeps failing', async (_step, steps, reason) => {
    const service = new FingerprintService(moduleWith(steps), { simulated: true, handshakeRetriesMs: [0, 0] });
    const settled = statusOf(service, ['ready', 'error']);
    service.start();
    expect(await settled).toMatchObject({ state: 'error', problem: 'not-responding', fault: { code: 'R30X_TIMEOUT', detail: expect.stringMatching(reason) } });
    const owner = { onEnd: () => () => undefined };
    const refused = await service.use(owner, async () => 'ran').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'DEVICE_NOT_READY', details: { role: 'fingerprint', problem: 'not-responding' } });
  });

  it('says a wrong module password is wrong settings', async () => {
    const wrongPassword = confirmationError(R30xConfirmation.WrongPassword, { instruction: 'VfyPwd' });
    const service = new FingerprintService(moduleWith({ connect: () => Promise.reject(wrongPassword) }), { simulated: false, handshakeRetriesMs: [] });
    const settled = statusOf(service, ['ready', 'error']);
    service.start();
    expect(await settled).toMatchObject({ state: 'error', problem: 'wrong-settings', fault: { code: 'R30X_WRONG_PASSWORD' } });
  });

  it('is ready when a step fails once and then answers', async () => {
    let reads = 0;
    const readSysPara = async () => {
      reads += 1;
      if (reads === 1) throw timeout('ReadSysPara');
      return { ...PARAMETERS, packetSize: 256 };
    };
    const service = new FingerprintService(moduleWith({ readSysPara }), { simulated: true, handshakeRetriesMs: [0] });
    const settled = statusOf(service, ['ready', 'error']);
    service.start();
    expect(await settled).toMatchObject({ state: 'ready' });
    expect(reads).toBe(2);
  });
});
