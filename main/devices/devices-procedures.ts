// RPC handler that drives the simulated devices from the screen (demos, training and
// the end-to-end tests): documents on the reader (and their chips on the chip reader),
// fingers on the sensor; refused
// outright for a device that is real.

import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import { sampleMrzLines } from '../../native/sim/sample-holder.js';
import type { DeviceRig } from './device-rig.js';

export function devicesHandlers(rig: () => DeviceRig | null, now: () => Date): Pick<Handlers<Procedures, Caller>, 'devices.simulate'> {
  return {
    'devices.simulate': async ({ action, sample, chip, finger, person }) => {
      if (action === 'place-finger' || action === 'lift-finger') {
        const fingerprint = rig()?.fingerprintSimulation ?? notSimulated();
        if (action === 'place-finger') fingerprint.placeFinger(person, finger);
        else fingerprint.liftFinger();
        return {};
      }
      const devices = rig();
      const simulation = devices?.simulation ?? notSimulated();
      const chipReader = devices?.chipSimulation ?? null;
      if (action === 'present-document') {
        // The chip goes on the chip reader first, as the person lays the document on both.
        if (chipReader && chip !== 'none' && (sample === 'passport' || sample === 'id-card')) {
          await chipReader.present(chip, { mrz: sampleMrzLines(sample, now()), portrait: devices?.simulatedPortrait ?? undefined });
        } else {
          await chipReader?.remove(); // a document without a chip leaves the chip reader empty
        }
        await simulation.present(sample);
      } else if (action === 'present-bad-document') {
        await simulation.presentMisread();
      } else {
        simulation.remove();
        await chipReader?.remove();
      }
      return {};
    },
  };
}

function notSimulated(): never {
  throw new GatehouseError('DEVICES_NOT_SIMULATED', 'This kiosk uses real devices; there is nothing to simulate.');
}
