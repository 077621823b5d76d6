// What every kind of device the kiosk can drive declares about itself, so the kiosk keeps one
// registry of them instead of branching on a kind: the settings a technician fills in (a zod
// schema whose titles and descriptions set-up screens are generated from), how a driver is
// opened from those settings, the simulator that stands in for the device in development and
// tests (the same driver runs against it), and which transport its traces record.

import type { z } from 'zod';

/** The job a device does at the kiosk; a family fills exactly one. */
export type DeviceRole = 'document-reader' | 'chip-reader' | 'fingerprint';

/** What a family's trace records: bytes on a serial or HID line, or command/response APDUs. */
export type TraceKind = 'bytes' | 'apdu';

export interface FamilyContext {
  now(): Date;
}

export interface SimulationContext extends FamilyContext {
  /** A private folder for the simulator's device files and sockets. */
  runDir: string;
}

/** A running simulator: the settings that open the family's driver against it, and its end. */
export interface DeviceSimulation<Config> {
  readonly config: Config;
  stop(): Promise<void>;
}

export interface DeviceFamily<Kind extends string, Config extends { kind: Kind }, Driver, Simulation extends DeviceSimulation<Config>> {
  /** The `kind` the family's settings carry. */
  readonly kind: Kind;
  readonly role: DeviceRole;
  /** What a technician calls it ("MRZ document reader"); screens translate by kind. */
  readonly title: string;
  readonly trace: TraceKind;
  /** The family's settings, `kind` included; parsing fills the defaults. */
  readonly config: z.ZodType<Config, { kind: Kind }>;
  /** A driver for the configured device; it connects (and reconnects) once started. */
  open(config: Config, context: FamilyContext): Driver;
  /** Starts a simulator of the device for the driver to open. */
  simulate(context: SimulationContext): Promise<Simulation>;
}
