// A SAM-module resident-ID reader (GA/T 467) in software: it answers the driver byte for
// byte on a Transport, normally the simulator end of a socat pty pair, with a card that
// can be inserted and removed and faults that can be injected, so drivers and the kiosk
// can be exercised without hardware. `startCnidSimulator` backs
// `gatehouse sim idreader --kind cnid --link PATH`.

import { DeviceError } from '../device-error.js';
import { encodeCardText, type CnidCardText } from '../idreader/cnid/card-text.js';
import {
  encodeSamResponse, parseSamRequest, SamFrameDecoder, type SamRequest, type SamResponse,
} from '../idreader/cnid/sam-frame.js';
import { SamStatus } from '../idreader/cnid/sam-status.js';
import type { Transport } from '../transport/transport.js';
import { openSimulatorPort } from './simulator-port.js';

export interface CnidSimCard {
  readonly text: CnidCardText;
  /** Stands in for the card's WLT photo; 1024 bytes like a real one, but not a decodable image. */
  readonly photo: Uint8Array;
}

/** A fictional person with a checksum-valid ID number. */
export const SAMPLE_CNID_CARD: CnidSimCard = {
  text: {
    name: '李示例',
    sexCode: '1',
    ethnicityCode: '01',
    birthDate: '19900307',
    address: '北京市东城区示例胡同12号',
    idNumber: '110101199003071233',
    issuingAuthority: '北京市公安局东城分局',
    validFrom: '20200101',
    validTo: '20400101',
  },
  photo: Uint8Array.from({ length: 1024 }, (_, index) => (index * 31 + 7) & 0xff),
};

/**
 * One-shot faults, each used up by the next reply it applies to:
 * bad-read: the next read answers 41 (read failed), the card stays;
 * remove-mid-read: the card is taken away during the next read (41, then no card);
 * garbage: noise before the next reply; corrupt-checksum: the next reply's CHK is wrong;
 * silence: the next request gets no reply at all.
 */
export type CnidFault = 'bad-read' | 'remove-mid-read' | 'garbage' | 'corrupt-checksum' | 'silence';

/** Prints as 05.01-20240115-0123456789-0000004242. */
const SAM_ID = Uint8Array.of(5, 0, 1, 0, 0xf3, 0xd6, 0x34, 0x01, 0x15, 0xcd, 0x5b, 0x07, 0x92, 0x10, 0, 0);
/** Line noise with false starts of the preamble in it. */
const NOISE = Uint8Array.of(0x00, 0xff, 0xaa, 0xaa, 0x96, 0x13, 0xaa, 0xaa, 0xaa, 0x96, 0x55);

export class CnidSimulator {
  readonly #decoder = new SamFrameDecoder(parseSamRequest);
  readonly #faults = new Map<CnidFault, number>();
  #card: CnidSimCard | undefined;
  #found = false;
  #selected = false;
  readonly #onData = (chunk: Uint8Array): void => this.#receive(chunk);

  constructor(private readonly transport: Transport) {
    transport.on('data', this.#onData);
  }

  get cardPresent(): boolean {
    return this.#card !== undefined;
  }

  insert(card: CnidSimCard = SAMPLE_CNID_CARD): void {
    this.#card = card;
    this.#found = false;
    this.#selected = false;
  }

  remove(): void {
    this.#card = undefined;
    this.#found = false;
    this.#selected = false;
  }

  /** Arms `fault` for the next `times` replies it applies to (Infinity: for good). */
  inject(fault: CnidFault, times = 1): void {
    this.#faults.set(fault, (this.#faults.get(fault) ?? 0) + times);
  }

  dispose(): void {
    this.transport.off('data', this.#onData);
  }

  #take(fault: CnidFault): boolean {
    const left = this.#faults.get(fault) ?? 0;
    if (left > 0) this.#faults.set(fault, left - 1);
    return left > 0;
  }

  #receive(chunk: Uint8Array): void {
    for (const item of this.#decoder.push(chunk)) {
      if ('frame' in item) this.#reply(this.#answer(item.frame));
      else this.#reply(status(item.error.code === 'SAM_FRAME_CHECKSUM' ? SamStatus.CHECKSUM_ERROR : SamStatus.LENGTH_ERROR));
    }
  }

  #answer({ command, parameter }: SamRequest): SamResponse {
    switch ((command << 8) | parameter) {
      case 0x10ff:
      case 0x11ff:
        return status(SamStatus.OK);
      case 0x12ff:
        return status(SamStatus.OK, SAM_ID);
      case 0x2001:
        this.#found = this.#card !== undefined;
        return this.#found ? status(SamStatus.CARD_FOUND, new Uint8Array(4)) : status(SamStatus.FIND_FAILED);
      case 0x2002:
        this.#selected = this.#found;
        return this.#selected ? status(SamStatus.OK, new Uint8Array(8)) : status(SamStatus.SELECT_FAILED);
      case 0x3001:
        return this.#read();
      default:
        return status(SamStatus.BAD_COMMAND);
    }
  }

  #read(): SamResponse {
    const card = this.#card;
    if (!card || !this.#selected) return status(SamStatus.READ_FAILED);
    if (this.#take('remove-mid-read')) {
      this.remove();
      return status(SamStatus.READ_FAILED);
    }
    if (this.#take('bad-read')) return status(SamStatus.READ_FAILED);
    const text = encodeCardText(card.text);
    const lengths = Uint8Array.of(text.length >> 8, text.length & 0xff, card.photo.length >> 8, card.photo.length & 0xff);
    return status(SamStatus.OK, Uint8Array.from([...lengths, ...text, ...card.photo]));
  }

  #reply(response: SamResponse): void {
    if (this.#take('silence')) return;
    const frame = encodeSamResponse(response);
    if (this.#take('corrupt-checksum')) frame[frame.length - 1] ^= 0xff;
    const bytes = this.#take('garbage') ? Uint8Array.from([...NOISE, ...frame]) : frame;
    this.transport.write(bytes).catch(() => undefined);
  }
}

function status(sw3: number, data: Uint8Array = new Uint8Array(0)): SamResponse {
  return { sw1: 0, sw2: 0, sw3, data };
}

const SCENARIO_NAMES = [
  'card', 'idle', 'insert-after', 'remove-after', 'bad-read', 'remove-mid-read', 'garbage', 'corrupt-checksum',
  'silence',
] as const;

interface CnidScenario {
  readonly name: (typeof SCENARIO_NAMES)[number];
  readonly seconds: number | undefined;
}

/** Scenario names for `--scenario`, for help texts; N is in seconds. */
export const CNID_SCENARIOS: readonly string[] = SCENARIO_NAMES.map((name) => (name.endsWith('-after') ? `${name}:N` : name));

function parseCnidScenario(text: string): CnidScenario {
  const [name, argument, ...rest] = text.split(':');
  const seconds = argument === undefined ? undefined : Number(argument);
  const known = SCENARIO_NAMES.find((candidate) => candidate === name);
  const timed = known?.endsWith('-after') ?? false;
  if (!known || rest.length > 0 || (seconds !== undefined && !(timed && Number.isFinite(seconds) && seconds >= 0))) {
    throw new DeviceError('SIM_SCENARIO_UNKNOWN',
      `Unknown CN ID simulator scenario "${text}"; use one of: ${CNID_SCENARIOS.join(', ')}.`, { scenario: text });
  }
  return { name: known, seconds };
}

/** Sets the simulator up for `scenario`; returns a function that cancels its timers. */
function applyCnidScenario(simulator: CnidSimulator, { name, seconds }: CnidScenario): () => void {
  const later = (action: () => void, defaultSeconds: number): (() => void) => {
    const timer = setTimeout(action, (seconds ?? defaultSeconds) * 1000);
    return () => clearTimeout(timer);
  };
  switch (name) {
    case 'idle':
      return () => undefined;
    case 'insert-after':
      return later(() => simulator.insert(), 3);
    case 'remove-after':
      simulator.insert();
      return later(() => simulator.remove(), 10);
    case 'card':
    case 'bad-read':
    case 'remove-mid-read':
    case 'corrupt-checksum':
      simulator.insert();
      if (name !== 'card') simulator.inject(name);
      return () => undefined;
    case 'garbage':
    case 'silence':
      simulator.insert();
      simulator.inject(name, Infinity);
      return () => undefined;
  }
}

export interface CnidSimulatorOptions {
  /** Where the driver-side pty appears, e.g. /tmp/gatehouse-cnid. */
  readonly link: string;
  readonly baud?: number;
  /** One of CNID_SCENARIOS; 'card' by default. */
  readonly scenario?: string;
}

export interface RunningCnidSimulator {
  /** The driver-side path, openable once this object exists. */
  readonly path: string;
  readonly simulator: CnidSimulator;
  /** Stops the simulator and its pty pair; `path` disappears, as an unplugged reader would. */
  stop(): Promise<void>;
}

export async function startCnidSimulator(options: CnidSimulatorOptions): Promise<RunningCnidSimulator> {
  const scenario = parseCnidScenario(options.scenario ?? 'card');
  const port = await openSimulatorPort(options.link, options.baud ?? 115_200);
  const simulator = new CnidSimulator(port.transport);
  const cancelScenario = applyCnidScenario(simulator, scenario);
  return {
    path: port.path,
    simulator,
    stop: async () => {
      cancelScenario();
      simulator.dispose();
      await port.close();
    },
  };
}
