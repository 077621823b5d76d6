// What the status bar shows, in one place: each device's state as its driver reports
// it, the network state, the depth of the outbox, the enrollments held for a supervisor and
// whether a new enrollment may start. Screens subscribe to changes. For the technician it
// also keeps, per device, when its state last changed and its last error's technical detail
// (`diagnoses()`), which never travel to an officer's status bar.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { DeviceFault } from '../devices/device-problem.js';
import type { DeviceStatus, SystemStatus } from '../rpc/contract.js';
import type { DeviceDiagnosis } from '../rpc/procedures/devices.js';
import type { Db } from '../store/database.js';

type Device = z.infer<typeof DeviceStatus>;
type Diagnosis = z.infer<typeof DeviceDiagnosis>;
type Status = z.infer<typeof SystemStatus>;
type EnrollmentGate = () => Pick<Status, 'enrollmentBlocked'> & { held: number };

const unconfigured: Device[] = [
  { kind: 'document-reader', name: 'Document reader', state: 'not-configured', simulated: false },
  { kind: 'fingerprint', name: 'Fingerprint scanner', state: 'not-configured', simulated: false },
  { kind: 'chip-reader', name: 'Chip reader', state: 'not-configured', simulated: false },
  { kind: 'camera', name: 'Camera', state: 'not-configured', simulated: false },
];

/**
 * A chip reader is optional (documents are enrolled without their chips): the status bar shows one only when it is
 * set up. The camera lives in the screen's browser (the browser's default one unless a technician chose another):
 * the kiosk knows of it only once a screen has sent a frame, and the face step itself says when it cannot open one.
 */
const shownOnStatusBar = (device: Device) => (device.kind !== 'chip-reader' && device.kind !== 'camera') || device.state !== 'not-configured';

export class StatusBoard extends EventEmitter<{ changed: [Status] }> {
  private readonly devices: Map<Device['kind'], Diagnosis>;
  private network: Status['network'] = 'not-provisioned';
  private enrollments: EnrollmentGate = () => ({ held: 0, enrollmentBlocked: 'not-provisioned' });

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    super();
    this.setMaxListeners(0); // one listener per open screen; there is no fixed bound
    const since = now().toISOString();
    this.devices = new Map(unconfigured.map((device) => [device.kind, { ...device, since, lastError: null }]));
  }

  current(): Status {
    const { n } = this.db.prepare("SELECT count(*) AS n FROM outbox WHERE state IN ('queued', 'sending')").get() as { n: number };
    const { held, enrollmentBlocked } = this.enrollments();
    const devices = [...this.devices.values()].map(({ since: _since, lastError: _lastError, ...device }) => device).filter(shownOnStatusBar);
    return { devices, network: this.network, queueDepth: n, heldEnrollments: held, enrollmentBlocked };
  }

  /** Every device with when it last changed state and its last error: for the technician's screens only. */
  diagnoses(): Diagnosis[] {
    return [...this.devices.values()];
  }

  /** Where the held count and the reason no enrollment may start come from (the enrollment workflow). */
  attachEnrollments(gate: EnrollmentGate): void {
    this.enrollments = gate;
    this.changed();
  }

  /** A device's new state; `fault`, when it comes with one, becomes its last error. */
  setDevice(device: Device, fault: DeviceFault | null = null): void {
    const previous = this.devices.get(device.kind);
    const at = this.now().toISOString();
    const unchanged = previous?.state === device.state && previous.problem === device.problem;
    this.devices.set(device.kind, {
      ...device,
      since: unchanged ? previous.since : at,
      lastError: fault ? { at, code: fault.code, detail: fault.detail } : previous?.lastError ?? null,
    });
    this.changed();
  }

  setNetwork(network: Status['network']): void {
    this.network = network;
    this.changed();
  }

  /** Call after anything that changes the outbox, the held enrollments or the kiosk's readiness. */
  changed(): void {
    this.emit('changed', this.current());
  }
}
