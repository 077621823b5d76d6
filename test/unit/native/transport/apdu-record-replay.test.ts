import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import { parseApduTrace } from '../../../../native/transport/apdu-trace.js';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';
import { RecordingApduTransport } from '../../../../native/transport/recording-apdu-transport.js';
import { ReplayApduTransport } from '../../../../native/transport/replay-apdu-transport.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

/** Answers GET CHALLENGE with 8 bytes and anything else with 6D00; a 00 B0 read fails as if the card were pulled. */
const toyCard: ApduTransport = {
  description: 'toy card',
  async transmit(command) {
    if (hex(command) === '0084000008') return bytes('0102030405060708 9000');
    if (command[1] === 0xb0) {
      throw new DeviceError('PCSC_CARD_REMOVED', 'The card on reader "R" was removed or lost contact\nduring an APDU exchange.');
    }
    return bytes('6d00');
  },
};

describe('APDU trace format', () => {
  const trace = [
    '# BAC begins',
    '=> 00 84 00 00 08',
    '<= 01 02 03 04 05 06 07 08 90 00',
    '',
    '=> 00b0000000',
    '# error PCSC_CARD_REMOVED: card pulled',
    '=> 00a4040c023f00',
    '<= 9000',
  ].join('\n');

  it('pairs each command with its response or its recorded error, with line numbers', () => {
    const exchanges = parseApduTrace(trace);
    expect(exchanges.map(({ command, line, outcome }) => ({
      command: hex(command), line, outcome: 'error' in outcome ? outcome : { response: hex(outcome.response), line: outcome.line },
    }))).toEqual([
      { command: '0084000008', line: 2, outcome: { response: '01020304050607089000', line: 3 } },
      { command: '00b0000000', line: 5, outcome: { error: { code: 'PCSC_CARD_REMOVED', message: 'card pulled' }, line: 6 } },
      { command: '00a4040c023f00', line: 7, outcome: { response: '9000', line: 8 } },
    ]);
  });

  it('names the line of a response without command, two responses, or a command without either', () => {
    expect(() => parseApduTrace('<= 9000\n')).toThrow(expect.objectContaining({ code: 'TRACE_SYNTAX', details: { line: 1 } }));
    expect(() => parseApduTrace('=> 00\n<= 9000\n<= 9000\n')).toThrow(expect.objectContaining({ details: { line: 3 } }));
    expect(() => parseApduTrace('=> 0084000008\n# just a note\n=> 00\n<= 9000\n')).toThrow(/line 1: the command has neither/);
    expect(() => parseApduTrace('=> 00\n<= 90 0g\n')).toThrow(/line 2/);
  });
});

describe('RecordingApduTransport', () => {
  it('writes => and <= per exchange, # comments, and a failed exchange as # error CODE: message', async () => {
    const lines: string[] = [];
    const recorder = new RecordingApduTransport(toyCard, { onLine: (line) => lines.push(line) });
    recorder.comment('start');
    expect(hex(await recorder.transmit(bytes('0084000008')))).toBe('01020304050607089000');
    await expect(recorder.transmit(bytes('00b0000000'))).rejects.toMatchObject({ code: 'PCSC_CARD_REMOVED' });
    expect(recorder.trace).toBe([
      '# start', '=> 0084000008', '<= 01020304050607089000', '=> 00b0000000',
      '# error PCSC_CARD_REMOVED: The card on reader "R" was removed or lost contact during an APDU exchange.', '',
    ].join('\n'));
    expect(lines).toHaveLength(5);
    expect(recorder.description).toBe('toy card');
  });
});

describe('ReplayApduTransport', () => {
  it('replays what a recorder recorded, the failure included, and is then consumed', async () => {
    const recorder = new RecordingApduTransport(toyCard);
    await recorder.transmit(bytes('0084000008'));
    await recorder.transmit(bytes('00b0000000')).catch(() => undefined);
    await recorder.transmit(bytes('00ca0000'));
    const replay = new ReplayApduTransport(recorder.trace, 'bac');
    expect(hex(await replay.transmit(bytes('0084000008')))).toBe('01020304050607089000');
    await expect(replay.transmit(bytes('00b0000000'))).rejects.toMatchObject({
      code: 'PCSC_CARD_REMOVED', message: expect.stringContaining('lost contact during'), details: { replayedFrom: 4 },
    });
    expect(hex(await replay.transmit(bytes('00ca0000')))).toBe('6d00');
    replay.assertConsumed();
  });

  it('fails a different command with the trace line, and remembers it for assertConsumed', async () => {
    const replay = new ReplayApduTransport('# select\n=> 00a4040c023f00\n<= 9000\n', 'select mf');
    await expect(replay.transmit(bytes('00a4040c023f01'))).rejects.toMatchObject({
      code: 'TRACE_MISMATCH', details: { line: 2 }, message: expect.stringMatching(/replay select mf.*00a4040c023f01.*line 2/),
    });
    expect(() => replay.assertConsumed()).toThrow(expect.objectContaining({ code: 'TRACE_MISMATCH' }));
  });

  it('fails a command after the end, and reports the first exchange never played', async () => {
    const ended = new ReplayApduTransport('=> 00\n<= 9000\n');
    await ended.transmit(bytes('00'));
    await expect(ended.transmit(bytes('00'))).rejects.toThrow(/after the end of the trace/);
    const unplayed = new ReplayApduTransport('=> 01\n<= 9000\n=> 02\n<= 9000\n=> 03\n<= 9000\n');
    await unplayed.transmit(bytes('01'));
    expect(() => unplayed.assertConsumed()).toThrow(expect.objectContaining({
      code: 'TRACE_UNCONSUMED', details: { line: 3 }, message: expect.stringContaining('and 1 more exchanges'),
    }));
  });

  it('hands out copies, so a caller changing a response cannot change the trace', async () => {
    const replay = new ReplayApduTransport('=> 00\n<= 9000\n=> 00\n<= 9000\n');
    (await replay.transmit(bytes('00'))).fill(0);
    expect(hex(await replay.transmit(bytes('00')))).toBe('9000');
  });
});
