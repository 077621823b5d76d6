// What is wrong with a device as the officer's screens word it: the problem the kiosk reports
// for a device (or "not set up" for one nobody configured), and for the camera, which the
// browser opens itself, the problem its error's name means. Pure, so it is tested without a page.
import type { z } from 'zod';
import type { DeviceProblem, DeviceStatus } from '../../../main/rpc/contract.js';

type Device = z.infer<typeof DeviceStatus>;
export type Problem = z.infer<typeof DeviceProblem>;

/** What is wrong with `device`, if anything: its problem, or "not set up" for one nobody configured. */
export function problemOf(device: Pick<Device, 'state' | 'problem'> | undefined): Problem | null {
  if (!device) return null;
  return device.problem ?? (device.state === 'not-configured' ? 'not-set-up' : null);
}

/** The problem of a camera the browser could not open, from the name of the browser's error. */
export function cameraProblemOf(failure: unknown): Problem {
  const name = failure instanceof DOMException ? failure.name : '';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'not-connected';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'no-permission';
  if (name === 'NotReadableError') return 'in-use';
  return 'failed';
}
