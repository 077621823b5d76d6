// Control lines for the fingerprint simulator, parsed and applied to a recording control.

import { describe, expect, it } from 'vitest';
import {
  runControlCommand, type FingerprintSimulatorControl, type FingerprintSimulatorStatus,
} from '../../../../native/sim/fingerprint-sim-control.js';

function recordingControl() {
  const calls: string[] = [];
  const status: FingerprintSimulatorStatus = { finger: 3, templates: 1, baud: 57600, packetSize: 128, securityLevel: 3, pendingFaults: [] };
  const control: FingerprintSimulatorControl = {
    placeFinger: (seed) => calls.push(`place ${seed}`),
    liftFinger: () => calls.push('lift'),
    injectFault: (kind) => calls.push(`fault ${kind}`),
    powerCycle: () => calls.push('power-cycle'),
    imageBuffer: undefined,
    status: () => status,
  };
  return { control, calls, status };
}

describe('fingerprint simulator control lines', () => {
  it('applies place, lift, fault and power-cycle', () => {
    const { control, calls } = recordingControl();
    for (const line of ['place 42', '  lift ', 'fault messy', 'fault silence', 'power-cycle']) {
      expect(runControlCommand(control, line)).toBe('ok');
    }
    expect(calls).toEqual(['place 42', 'lift', 'fault messy', 'fault silence', 'power-cycle']);
  });

  it('answers status as JSON', () => {
    const { control, status } = recordingControl();
    const answer = runControlCommand(control, 'status');
    expect(JSON.parse(answer.replace(/^ok /, ''))).toEqual(status);
  });

  it.each(['place', 'place -1', 'place 4294967296', 'place 1 2', 'fault wet', 'jump'])('refuses "%s"', (line) => {
    const { control, calls } = recordingControl();
    expect(runControlCommand(control, line)).toMatch(/^error /);
    expect(calls).toEqual([]);
  });
});
