// A provisioned kiosk on simulated devices with the staff the four-eyes tests need: an officer
// who runs enrollments and a supervisor who gives the second approval.

import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './kiosk-process.js';

export const OFFICER = { name: 'Olga Officer', pin: '246810' };
export const SUPERVISOR = { name: 'Sven Supervisor', pin: '135790' };

export async function startStaffedKiosk(): Promise<{ dataDir: string; kiosk: RunningKiosk }> {
  const dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  return { dataDir, kiosk: await startKiosk(dataDir) };
}
