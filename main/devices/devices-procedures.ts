// RPC handler that drives the simulated devices from the screen (demos, training and
// the end-to-end tests): documents on the reader, fingers on the sensor; refused
// outright for a device that is real.

import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import type { DeviceRig } from './device-rig.js';

export function devicesHandlers(rig: () => DeviceRig | null): Pick<Handlers<Procedures, Caller>, 'devices.simulate'> {
  return {
    'devices.simulate': async ({ action, sample, finger, person }) => {
      if (action === 'place-finger' || action === 'lift-finger') {
        const fingerprint = rig()?.fingerprintSimulation ?? notSimulated();
        if (action === 'place-finger') fingerprint.placeFinger(person, finger);
        else fingerprint.liftFinger();
        return {};
      }
      const simulation = rig()?.simulation ?? notSimulated();
      if (action === 'present-document') await simulation.present(sample);
      else if (action === 'present-bad-document') await simulation.presentMisread();
      else simulation.remove();
      return {};
    },
  };
}

function notSimulated(): never {
  throw new GatehouseError('DEVICES_NOT_SIMULATED', 'This kiosk uses real devices; there is nothing to simulate.');
}
