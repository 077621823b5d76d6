import fc from 'fast-check';
import { transmitWithAutoResponse, type CardInterface } from 'smartcard';
import { describe, expect, it } from 'vitest';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';
import { getResponseCommand, GetResponseTransport, transmitWholeResponse } from '../../../../native/transport/get-response.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

/** A card that expects exactly these exchanges, in order: [command hex, response hex]. */
function scriptedCard(script: Array<[string, string]>): ApduTransport & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    description: 'scripted card',
    sent,
    async transmit(command) {
      const step = script[sent.length];
      sent.push(hex(command));
      if (!step) throw new Error(`unexpected command ${hex(command)} after the script`);
      expect(hex(command)).toBe(step[0].replace(/\s+/g, ''));
      return bytes(step[1]);
    },
  };
}

describe('transmitWholeResponse', () => {
  it('passes a complete answer through in one exchange, errors included', async () => {
    const card = scriptedCard([['00a4040c07a0000002471001', '9000'], ['00b0000000', '6982']]);
    const whole = new GetResponseTransport(card);
    expect(hex(await whole.transmit(bytes('00a4040c07a0000002471001')))).toBe('9000');
    expect(hex(await whole.transmit(bytes('00b0000000')))).toBe('6982');
    expect(whole.description).toBe('scripted card');
  });

  it('fetches what 61xx announces with GET RESPONSE, round after round, joining the parts', async () => {
    const card = scriptedCard([
      ['00 a4 04 00 07 a0 00 00 02 47 10 01 00', '6100'],
      ['00 c0 00 00 00', `${'11'.repeat(256)}6105`],
      ['00 c0 00 00 05', '22222222229000'],
    ]);
    const response = await transmitWholeResponse((command) => card.transmit(command), bytes('00a4040007a000000247100100'));
    expect(hex(response)).toBe(`${'11'.repeat(256)}${'22'.repeat(5)}9000`);
  });

  it('keeps data that arrives with 61xx (T=1 cards chain that way too) and ends on the last status word', async () => {
    const card = scriptedCard([['00 ca 01 00 00', 'aabb6102'], ['00 c0 00 00 02', 'ccdd6283']]);
    expect(hex(await transmitWholeResponse((command) => card.transmit(command), bytes('00ca010000')))).toBe('aabbccdd6283');
  });

  it('sends the command again with Le = xx after 6Cxx, in the length form it had', async () => {
    const short = scriptedCard([['00 b0 00 00 00', '6c0a'], ['00 b0 00 00 0a', `${'ab'.repeat(10)}9000`]]);
    expect(hex(await transmitWholeResponse((c) => short.transmit(c), bytes('00b0000000')))).toBe(`${'ab'.repeat(10)}9000`);
    const extended = scriptedCard([['00 b0 00 00 00 4e 20', '6c0a'], ['00 b0 00 00 00 00 0a', `${'ab'.repeat(10)}9000`]]);
    expect(statusOf(await transmitWholeResponse((c) => extended.transmit(c), bytes('00b00000004e20')))).toBe('9000');
    const caseOne = scriptedCard([['00 ca 9f 7f', '6c2d'], ['00 ca 9f 7f 2d', '9000']]);
    expect(hex(await transmitWholeResponse((c) => caseOne.transmit(c), bytes('00ca9f7f')))).toBe('9000');
  });

  it('after 6Cxx to a GET RESPONSE asks GET RESPONSE again, never re-running the command (GET CHALLENGE)', async () => {
    const card = scriptedCard([
      ['00 84 00 00 08', '6108'],
      ['00 c0 00 00 08', '6c08'],
      ['00 c0 00 00 08', '01020304050607089000'],
    ]);
    expect(hex(await transmitWholeResponse((c) => card.transmit(c), bytes('0084000008')))).toBe('01020304050607089000');
    expect(card.sent.filter((command) => command.startsWith('0084'))).toHaveLength(1);
  });

  it('leaves 6Cxx alone for a case 3 command, and retries a wrong Le only once', async () => {
    const caseThree = scriptedCard([['00 a4 04 0c 02 3f 00', '6c00']]);
    expect(hex(await transmitWholeResponse((c) => caseThree.transmit(c), bytes('00a4040c023f00')))).toBe('6c00');
    const stubborn = scriptedCard([['00 b0 00 00 10', '6c08'], ['00 b0 00 00 08', '6c04']]);
    expect(hex(await transmitWholeResponse((c) => stubborn.transmit(c), bytes('00b0000010')))).toBe('6c04');
  });

  it('sends GET RESPONSE on the command\'s logical channel, without secure messaging bits', () => {
    const claOf = (commandCla: number): string => hex(getResponseCommand(commandCla, 0x10)).slice(0, 2);
    expect([0x00, 0x01, 0x03, 0x0c, 0x0d, 0x10, 0x43, 0x6f, 0x80, 0x90].map(claOf))
      .toEqual(['00', '01', '03', '00', '01', '00', '43', '4f', '00', '00']);
    expect(hex(getResponseCommand(0x00, 256))).toBe('00c0000000');
  });

  it('gives up on a card that never stops announcing data, and on an answer without status word', async () => {
    let rounds = 0;
    const endless = async (): Promise<Uint8Array> => {
      rounds += 1;
      return bytes('6101');
    };
    await expect(transmitWholeResponse(endless, bytes('00b0000000'), 'endless card')).rejects.toMatchObject({
      code: 'APDU_RESPONSE_CHAIN', message: expect.stringContaining('endless card'),
    });
    expect(rounds).toBe(257);
    await expect(transmitWholeResponse(async () => Uint8Array.of(0x90), bytes('00b0000000')))
      .rejects.toMatchObject({ code: 'APDU_NO_STATUS_WORD' });
  });

  it('refuses a malformed command before anything is sent', async () => {
    const card = scriptedCard([]);
    await expect(transmitWholeResponse((c) => card.transmit(c), bytes('00a4040c07a0'))).rejects.toMatchObject({ code: 'APDU_MALFORMED' });
    expect(card.sent).toEqual([]);
  });

  it('reassembles any response however the card cuts it into 61xx parts', () => {
    fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 3000 }),
      fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 40 }),
      fc.constantFrom(0x9000, 0x6282, 0x6a82),
      async (data, cuts, finalSw) => {
        const parts: Uint8Array[] = [];
        for (let offset = 0; offset < data.length; offset += parts.at(-1)!.length) {
          parts.push(data.subarray(offset, offset + (cuts[parts.length % cuts.length] as number)));
        }
        // Exchange 0 answers the command with no data; exchange i hands over part i - 1.
        const carried = [new Uint8Array(0), ...parts];
        let exchange = 0;
        const card = async (command: Uint8Array): Promise<Uint8Array> => {
          const index = exchange;
          exchange += 1;
          if (index > 0) expect(hex(command)).toBe(hex(getResponseCommand(0x00, (parts[index - 1] as Uint8Array).length)));
          const more = parts[index];
          const sw = more ? 0x6100 | (more.length & 0xff) : finalSw;
          return Uint8Array.of(...(carried[index] as Uint8Array), sw >> 8, sw & 0xff);
        };
        const whole = await transmitWholeResponse(card, bytes('00b0000000'));
        expect(hex(whole)).toBe(hex(Uint8Array.of(...data, finalSw >> 8, finalSw & 0xff)));
        expect(exchange).toBe(parts.length + 1);
      },
    ));
  });
});

function statusOf(response: Uint8Array): string {
  return hex(response.subarray(-2));
}

/**
 * Why the `smartcard` package's own T=0 handling (3.7.0, autoGetResponse) is not used.
 * If one of these starts failing, the package changed: look again.
 */
describe('the smartcard package\'s transmitWithAutoResponse, for comparison', () => {
  function packageCard(script: Array<[string, string]>): { card: CardInterface; sent: string[] } {
    const scripted = scriptedCard(script);
    const card = {
      transmit: async (command: Buffer) => Buffer.from(await scripted.transmit(Uint8Array.from(command))),
    } as unknown as CardInterface;
    return { card, sent: scripted.sent };
  }

  it('answers a 6Cxx to GET RESPONSE by sending the original command again (a second GET CHALLENGE)', async () => {
    const { card, sent } = packageCard([
      ['00 84 00 00 08', '6108'],
      ['00 c0 00 00 08', '6c08'],
      ['00 84 00 00 08', '01020304050607089000'],
    ]);
    await transmitWithAutoResponse(card, Buffer.from('0084000008', 'hex'), { autoGetResponse: true });
    expect(sent).toEqual(['0084000008', '00c0000008', '0084000008']);
  });

  it('"corrects" the Le of a case 3 command by overwriting its last data byte', async () => {
    const { card, sent } = packageCard([['00 a4 04 0c 02 3f 00', '6c04'], ['00 a4 04 0c 02 3f 04', '9000']]);
    await transmitWithAutoResponse(card, Buffer.from('00a4040c023f00', 'hex'), { autoGetResponse: true });
    expect(sent[1]).toBe('00a4040c023f04');
  });

  it('breaks an extended Le, and sends GET RESPONSE on the basic channel for a channel-1 command', async () => {
    const extended = packageCard([['00 b0 00 00 00 4e 20', '6c0a'], ['00 b0 00 00 00 4e 0a', '9000']]);
    await transmitWithAutoResponse(extended.card, Buffer.from('00b00000004e20', 'hex'), { autoGetResponse: true });
    expect(extended.sent[1]).toBe('00b00000004e0a');
    const channel = packageCard([['01 a4 04 00 02 3f 00 00', '6110'], ['00 c0 00 00 10', '9000']]);
    await transmitWithAutoResponse(channel.card, Buffer.from('01a40400023f0000', 'hex'), { autoGetResponse: true });
    expect(channel.sent[1]).toBe('00c0000010');
  });
});
