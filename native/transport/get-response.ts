// Completes T=0-style answers so protocol code sees whole responses (ISO/IEC 7816-4 §5.6,
// 7816-3 §12.2): after SW 61xx it sends GET RESPONSE (Le = xx, 00 meaning 256) until the
// card stops saying "more data", joining the data parts; after SW 6Cxx ("wrong Le, xx
// bytes available") it sends the same command again with Le = xx, once.
//
// Why not the `smartcard` package's autoGetResponse (3.7.0): it corrects the *original*
// command when a GET RESPONSE is answered 6Cxx (re-running e.g. GET CHALLENGE), overwrites
// the last data byte of a case 3 command and the last byte of an extended Le, keeps the
// data gathered before a 6Cxx retry, sends GET RESPONSE on the basic channel whatever the
// command's channel, and loops without bound. get-response.test.ts shows each case.

import { DeviceError } from '../device-error.js';
import type { ApduTransport } from './apdu-transport.js';
import { parseCommandApdu, withExpectedLength } from './command-apdu.js';

/** 256 rounds of 256 bytes cover the largest extended response. */
const MAX_GET_RESPONSES = 256;
const INS_GET_RESPONSE = 0xc0;

/**
 * GET RESPONSE goes on the command's logical channel, without secure messaging or
 * chaining bits: interindustry CLA 0x0X keeps channel bits b2 b1, CLA 0x4X keeps b4-b1;
 * a proprietary CLA gets 00.
 */
export function getResponseCommand(commandCla: number, available: number): Uint8Array {
  let cla = 0x00;
  if ((commandCla & 0xe0) === 0x00) cla = commandCla & 0x03;
  else if ((commandCla & 0xc0) === 0x40) cla = 0x40 | (commandCla & 0x0f);
  return Uint8Array.of(cla, INS_GET_RESPONSE, 0x00, 0x00, available & 0xff);
}

/**
 * Sends `command` through `send` (one exchange with the card per call) and resolves with
 * the whole response: every data part in order, then the status word of the last answer.
 * Commands that cannot be parsed are refused (APDU_MALFORMED) before anything is sent.
 */
export async function transmitWholeResponse(
  send: (command: Uint8Array) => Promise<Uint8Array>,
  command: Uint8Array,
  description = 'card',
): Promise<Uint8Array> {
  const { cla, apduCase } = parseCommandApdu(command);
  const parts: Uint8Array[] = [];
  let current = command;
  let retriedWithLe = false;
  let getResponses = 0;
  for (;;) {
    const response = await send(current);
    if (response.length < 2) {
      throw new DeviceError('APDU_NO_STATUS_WORD',
        `${description} answered ${response.length} bytes, without a status word.`, { length: response.length });
    }
    const sw1 = response[response.length - 2] as number;
    const sw2 = response[response.length - 1] as number;
    if (sw1 === 0x6c && !retriedWithLe && (current !== command || apduCase !== 3)) {
      // Wrong Le: the card tells how many bytes it has; ask again for exactly that many.
      retriedWithLe = true;
      current = current === command ? withExpectedLength(command, sw2 || 256) : getResponseCommand(cla, sw2);
      continue;
    }
    if (sw1 === 0x61) {
      parts.push(response.subarray(0, response.length - 2));
      if (getResponses === MAX_GET_RESPONSES) {
        throw new DeviceError('APDU_RESPONSE_CHAIN',
          `${description} still had data waiting (61xx) after ${MAX_GET_RESPONSES} GET RESPONSE commands; `
          + 'the card or the reader is misbehaving.', { getResponses });
      }
      getResponses += 1;
      retriedWithLe = false;
      current = getResponseCommand(cla, sw2);
      continue;
    }
    if (parts.length === 0) return response;
    return joinParts([...parts, response]);
  }
}

function joinParts(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** An ApduTransport over one that passes 61xx and 6Cxx through (a reader's raw transmit). */
export class GetResponseTransport implements ApduTransport {
  readonly description: string;

  constructor(private readonly inner: ApduTransport) {
    this.description = inner.description;
  }

  transmit(command: Uint8Array): Promise<Uint8Array> {
    return transmitWholeResponse((part) => this.inner.transmit(part), command, this.description);
  }
}
