// Whether a kiosk may run simulated devices, decided once at start-up for both hosts:
// only when asked (`--simulate`, which `npm start` passes), never on the packaged service
// (its unit sets GATEHOUSE_PACKAGED=1), so a production kiosk never enrolls from a simulator.

import { GatehouseError } from '../errors.js';
import type { DeviceRigOptions } from './device-rig.js';

/** The start-up options that ask for simulation. */
export interface SimulationOptions {
  simulate?: boolean;
  /** mrz or cnid: the document reader simulated. */
  simulatedReader?: string;
  simulatedChip?: boolean;
  simulatedPortrait?: string;
}

/**
 * The rig's simulation settings for `options`: none without --simulate (a --simulated-…
 * option alone is CLI_INVALID_OPTIONS saying to add it); DEVICES_SIMULATION_REFUSED on the
 * packaged service.
 */
export function simulationOf(options: SimulationOptions, env: NodeJS.ProcessEnv): Pick<DeviceRigOptions, 'simulate' | 'simulatedReader' | 'simulateChip'> {
  const refinements = [
    options.simulatedReader !== undefined && '--simulated-reader',
    options.simulatedChip === true && '--simulated-chip',
    options.simulatedPortrait !== undefined && '--simulated-portrait',
  ].filter((option): option is string => typeof option === 'string');
  if (!options.simulate) {
    if (refinements.length > 0) {
      throw new GatehouseError('CLI_INVALID_OPTIONS',
        `${refinements.join(' and ')} only refine a simulation: add --simulate (never on a kiosk that enrolls people).`);
    }
    return { simulate: false };
  }
  if (env.GATEHOUSE_PACKAGED === '1') {
    throw new GatehouseError('DEVICES_SIMULATION_REFUSED', 'The packaged kiosk service never runs simulated devices: remove --simulate, '
      + 'and set up the real devices on the technician\'s device screen or with "gatehouse devices set".');
  }
  const reader = options.simulatedReader ?? 'mrz';
  if (reader !== 'mrz' && reader !== 'cnid') {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `--simulated-reader must be mrz or cnid, not "${reader}".`);
  }
  return { simulate: true, simulatedReader: reader, simulateChip: options.simulatedChip === true };
}
