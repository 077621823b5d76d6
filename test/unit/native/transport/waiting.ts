// Waiting helpers for device tests: they wait for an event or a condition and leave the
// time limit to the test runner, so no assertion depends on how fast the machine is.

import type { DeviceLink, LinkState, LinkStatus } from '../../../../native/transport/device-link.js';

export function nextStatus(link: DeviceLink, state: LinkState): Promise<LinkStatus> {
  return new Promise((resolve) => {
    const listener = (status: LinkStatus): void => {
      if (status.state !== state) return;
      link.off('status', listener);
      resolve(status);
    };
    link.on('status', listener);
  });
}

export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
