// The `gatehouse` command of a development checkout: the kiosk's CLI plus the tools a kiosk
// never ships (threshold calibration, synthetic records for benchmarks and torture runs).
// bin/gatehouse.js runs this when it was built, and the kiosk's own CLI otherwise; packages
// ship only main/cli, so these commands do not exist on an installed kiosk.
import { buildProgram, main as runProgram } from '../../main/cli/main.js';
import { registerEnrollCommand } from './commands/enroll.js';
import { registerFaceCalibrateCommand } from './commands/face-calibrate.js';

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  registerFaceCalibrateCommand(program);
  registerEnrollCommand(program);
  await runProgram(argv, program);
}
