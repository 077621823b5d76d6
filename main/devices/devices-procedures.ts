// RPC handler that drives the simulated devices from the screen (demos, training and
// the end-to-end tests); refused outright on a kiosk with real devices.

import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import type { DeviceRig } from './device-rig.js';

export function devicesHandlers(rig: () => DeviceRig | null): Pick<Handlers<Procedures, Caller>, 'devices.simulate'> {
  return {
    'devices.simulate': async ({ action, sample }) => {
      const simulation = rig()?.simulation;
      if (!simulation) {
        throw new GatehouseError('DEVICES_NOT_SIMULATED', 'This kiosk uses real devices; there is nothing to simulate.');
      }
      if (action === 'present-document') await simulation.present(sample);
      else if (action === 'present-bad-document') await simulation.presentMisread();
      else simulation.remove();
      return {};
    },
  };
}
