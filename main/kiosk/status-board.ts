// What the status bar shows, in one place: each device's state as its driver reports
// it, the network state, the depth of the outbox, the enrollments held for a supervisor and
// whether a new enrollment may start. Screens subscribe to changes.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { DeviceStatus, SystemStatus } from '../rpc/contract.js';
import type { Db } from '../store/database.js';

type Device = z.infer<typeof DeviceStatus>;
type Status = z.infer<typeof SystemStatus>;
type EnrollmentGate = () => Pick<Status, 'enrollmentBlocked'> & { held: number };

const unconfigured: Device[] = [
  { kind: 'document-reader', name: 'Document reader', state: 'not-configured', simulated: false },
  { kind: 'fingerprint', name: 'Fingerprint scanner', state: 'not-configured', simulated: false },
  { kind: 'camera', name: 'Camera', state: 'not-configured', simulated: false },
];

export class StatusBoard extends EventEmitter<{ changed: [Status] }> {
  private readonly devices = new Map<Device['kind'], Device>(unconfigured.map((d) => [d.kind, d]));
  private network: Status['network'] = 'not-provisioned';
  private enrollments: EnrollmentGate = () => ({ held: 0, enrollmentBlocked: 'not-provisioned' });

  constructor(private readonly db: Db) {
    super();
    this.setMaxListeners(0); // one listener per open screen; there is no fixed bound
  }

  current(): Status {
    const { n } = this.db.prepare("SELECT count(*) AS n FROM outbox WHERE state IN ('queued', 'sending')").get() as { n: number };
    const { held, enrollmentBlocked } = this.enrollments();
    return { devices: [...this.devices.values()], network: this.network, queueDepth: n, heldEnrollments: held, enrollmentBlocked };
  }

  /** Where the held count and the reason no enrollment may start come from (the enrollment workflow). */
  attachEnrollments(gate: EnrollmentGate): void {
    this.enrollments = gate;
    this.changed();
  }

  setDevice(device: Device): void {
    this.devices.set(device.kind, device);
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
