// An MRZ document reader in software: on a Transport, normally the simulator end of a socat
// pty pair, it sends the MRZ of each document presented to it in the configured framing,
// byte for byte as a real reader would, with scenarios and one-shot faults, so the driver
// and the kiosk can be exercised without hardware. `startMrzSimulator` backs
// `gatehouse sim idreader --kind mrz --link PATH [--framing …]`.

import { DeviceError } from '../device-error.js';
import { encodeMrzFrame, parseMrzFraming, type MrzFraming, type MrzFramingInput } from '../idreader/mrz-reader/framings.js';
import { formatMrz, type MrzFieldValues, type MrzFormat } from '../idreader/mrz/index.js';
import type { Transport } from '../transport/transport.js';
import { openSimulatorPort } from './simulator-port.js';

/** Utopia's Anna Eriksson as in the ICAO Doc 9303 specimens (expired, as printed in the standard). */
function specimen(format: MrzFormat, fields: Partial<MrzFieldValues>): readonly string[] {
  return formatMrz({
    documentCode: 'I', issuingState: 'UTO', documentNumber: 'D23145890', nationality: 'UTO', birthDate: '740812',
    sex: 'F', expiryDate: '120415', surname: 'ERIKSSON', givenNames: 'ANNA MARIA', optionalData: '', optionalData2: '',
    ...fields,
  }, format);
}

/** The Doc 9303 specimens of parts 4–7: TD3 passport, TD1 and TD2 ID cards, MRV-A visa. */
export const MRZ_SAMPLE_DOCUMENTS = {
  passport: specimen('TD3', { documentCode: 'P', documentNumber: 'L898902C3', optionalData: 'ZE184226B' }),
  idCard: specimen('TD1', {}),
  td2: specimen('TD2', {}),
  visa: specimen('MRVA', {
    documentCode: 'V', documentNumber: 'L8988901C', nationality: 'XXX', birthDate: '400907', expiryDate: '961210',
    optionalData: '6ZE184226B',
  }),
} as const satisfies Record<string, readonly string[]>;

export const MRZ_FAULTS = ['bad-read', 'bad-bcc', 'cut-off', 'garbage'] as const;
/**
 * One-shot faults, each spoiling the next presentation: bad-read: the birth-date check digit
 * is off by one (the frame is fine, the MRZ fails a check); bad-bcc: the block check byte is
 * wrong (framings with a BCC only); cut-off: only the first half of the bytes is sent, as
 * when the document is pulled away mid-read; garbage: line noise before the read.
 */
export type MrzFault = (typeof MRZ_FAULTS)[number];

/** Line noise: no printable ASCII, no line ends; bytes of the start marker are left out of it. */
const NOISE = Uint8Array.of(0x00, 0xff, 0x13, 0x80, 0x7f, 0x03, 0x11, 0xfe);

/** The birth date's check digit: line 2 column 7 in a TD1, line 2 column 20 in the two-line formats. */
function spoilCheckDigit(lines: readonly string[]): string[] {
  const [row, column] = lines.length === 3 ? [1, 6] : [1, 19];
  return lines.map((line, index) => (index !== row ? line
    : line.slice(0, column) + String((Number(line[column]) + 1) % 10) + line.slice(column + 1)));
}

export class MrzSimulator {
  readonly #faults = new Set<MrzFault>();
  readonly #noise: Uint8Array;

  constructor(private readonly transport: Transport, private readonly framing: MrzFraming) {
    const frameStart = framing.framing === 'markers' ? Buffer.from(framing.startMarker, 'hex') : Buffer.of(0x02);
    this.#noise = NOISE.filter((byte) => !frameStart.includes(byte));
  }

  /** "Reads" a document: sends its MRZ lines (a sample by default) with any armed faults applied. */
  present(lines: readonly string[] = MRZ_SAMPLE_DOCUMENTS.passport): Promise<void> {
    const frame = encodeMrzFrame(this.#take('bad-read') ? spoilCheckDigit(lines) : lines, this.framing);
    if (this.#take('bad-bcc')) frame[frame.length - 1] ^= 0xff;
    const sent = this.#take('cut-off') ? frame.subarray(0, Math.floor(frame.length / 2)) : frame;
    return this.transport.write(this.#take('garbage') ? Uint8Array.from([...this.#noise, ...sent]) : sent);
  }

  /** Arms `kind` for the next presentation. */
  injectFault(kind: MrzFault): void {
    if (kind === 'bad-bcc' && (this.framing.framing === 'lines' || this.framing.bcc === 'none')) {
      throw new DeviceError('SIM_FAULT_UNSUPPORTED',
        `The MRZ simulator cannot send a bad block check: its ${this.framing.framing} framing has no BCC.`, { kind });
    }
    this.#faults.add(kind);
  }

  #take(fault: MrzFault): boolean {
    return this.#faults.delete(fault);
  }
}

/** Scenario names for `--scenario`, for help texts; N is in seconds, more than 0 (default 3 for insert-after, else 5). */
export const MRZ_SCENARIOS: readonly string[] = ['idle', 'insert-after:N', 'repeat:N', ...MRZ_FAULTS.map((fault) => `${fault}:N`)];

/**
 * Sets the simulator up for `scenario` and returns a function that cancels its timers.
 * insert-after presents the passport once; repeat presents it every N seconds; a fault
 * scenario does the same as repeat with the fault armed for the first presentation.
 */
export function applyMrzScenario(simulator: MrzSimulator, scenario: string): () => void {
  const [name, argument, ...extra] = scenario.split(':');
  const seconds = argument === undefined ? undefined : Number(argument);
  if (extra.length > 0 || (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && name !== 'idle'))) {
    throw scenarioError(scenario);
  }
  const present = (): void => void simulator.present().catch(() => undefined);
  if (name === 'idle') return () => undefined;
  if (name === 'insert-after') {
    const timer = setTimeout(present, (seconds ?? 3) * 1000);
    return () => clearTimeout(timer);
  }
  if (name !== 'repeat' && !MRZ_FAULTS.includes(name as MrzFault)) throw scenarioError(scenario);
  if (name !== 'repeat') simulator.injectFault(name as MrzFault);
  const timer = setInterval(present, (seconds ?? 5) * 1000);
  return () => clearInterval(timer);
}

function scenarioError(scenario: string): DeviceError {
  return new DeviceError('SIM_SCENARIO_UNKNOWN',
    `Unknown MRZ simulator scenario "${scenario}"; use one of: ${MRZ_SCENARIOS.join(', ')}.`, { scenario });
}

export interface MrzSimulatorOptions {
  /** Where the driver-side pty appears, e.g. /tmp/gatehouse-mrz. */
  readonly link: string;
  readonly baud?: number;
  /** The reader's framing configuration; plain CR/LF lines by default. */
  readonly framing?: MrzFramingInput;
  /** One of MRZ_SCENARIOS; 'repeat:5' by default. */
  readonly scenario?: string;
}

export interface RunningMrzSimulator {
  /** The driver-side path, openable once this object exists. */
  readonly path: string;
  readonly control: MrzSimulator;
  /** Stops the simulator and its pty pair; `path` disappears, as an unplugged reader would. */
  stop(): Promise<void>;
}

export async function startMrzSimulator(options: MrzSimulatorOptions): Promise<RunningMrzSimulator> {
  const framing = parseMrzFraming(options.framing ?? { framing: 'lines' });
  const port = await openSimulatorPort(options.link, options.baud ?? 9_600);
  const control = new MrzSimulator(port.transport, framing);
  let cancelScenario: () => void;
  try {
    cancelScenario = applyMrzScenario(control, options.scenario ?? 'repeat:5');
  } catch (error) {
    await port.close();
    throw error;
  }
  return {
    path: port.path,
    control,
    stop: async () => {
      cancelScenario();
      await port.close();
    },
  };
}
