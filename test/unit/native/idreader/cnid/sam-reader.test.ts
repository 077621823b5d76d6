import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSamResponse, parseSamRequest, SamFrameDecoder } from '../../../../../native/idreader/cnid/sam-frame.js';
import { decodeSamId, SamReader } from '../../../../../native/idreader/cnid/sam-reader.js';
import { CnidSimulator, SAMPLE_CNID_CARD } from '../../../../../native/sim/cnid-sim.js';
import { createMemoryPair } from '../../../../../native/transport/memory-transport.js';
import { RecordingTransport } from '../../../../../native/transport/recording-transport.js';
import { ReplayTransport } from '../../../../../native/transport/replay-transport.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../fixtures/native/idreader/cnid/${name}`, import.meta.url), 'utf8');

const readers: SamReader[] = [];
afterEach(() => readers.splice(0).forEach((reader) => reader.dispose()));

async function withSimulator() {
  const [host, device] = createMemoryPair('cnid');
  await Promise.all([host.open(), device.open()]);
  const recorder = new RecordingTransport(host);
  await recorder.open();
  const simulator = new CnidSimulator(device);
  const reader = new SamReader(recorder, { timeoutsMs: { status: 50, findCard: 50 } });
  readers.push(reader);
  return { reader, simulator, recorder, device };
}

/** A device that answers every request with status `sw3` and no data. */
async function answeringWith(sw3: number): Promise<SamReader> {
  const [host, device] = createMemoryPair('scripted');
  await Promise.all([host.open(), device.open()]);
  const decoder = new SamFrameDecoder(parseSamRequest);
  device.on('data', (chunk) => decoder.push(chunk)
    .forEach(() => void device.write(encodeSamResponse({ sw1: 0, sw2: 0, sw3, data: new Uint8Array(0) }))));
  const reader = new SamReader(host);
  readers.push(reader);
  return reader;
}

describe('SamReader with the simulator', () => {
  it('reads the sample card: text fields, validity, opaque photo', async () => {
    const { reader, simulator } = await withSimulator();
    expect(await reader.findCard()).toBe(false);
    simulator.insert();
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    const card = await reader.readCard();
    expect(card.text).toEqual(SAMPLE_CNID_CARD.text);
    expect(card).toMatchObject({ valid: true, sex: 'male', portraitAvailable: false });
    expect(card.photo).toEqual(SAMPLE_CNID_CARD.photo);
  });

  it('reads the SAM id in its printed form', async () => {
    const { reader } = await withSimulator();
    await reader.reset();
    await reader.status();
    expect((await reader.samId()).text).toBe('05.01-20240115-0123456789-0000004242');
  });

  it('keeps one command in flight: each request waits for the previous reply', async () => {
    const { reader, simulator, recorder } = await withSimulator();
    simulator.insert();
    await Promise.all([reader.status(), reader.samId(), reader.findCard(), reader.selectCard()]);
    const directions = recorder.trace.split('\n').filter((line) => /^[=<]/.test(line)).map((line) => line.slice(0, 2));
    expect(directions).toEqual(['=>', '<=', '=>', '<=', '=>', '<=', '=>', '<=']);
  });

  it('turns a failed read into "hold the card still and try again", then reads', async () => {
    const { reader, simulator } = await withSimulator();
    simulator.insert();
    simulator.inject('bad-read');
    await reader.findCard();
    await reader.selectCard();
    await expect(reader.readCard()).rejects.toMatchObject({
      code: 'CNID_READ_FAILED', message: expect.stringMatching(/memory cnid A.*hold the card still and try again/i),
    });
    expect((await reader.readCard()).valid).toBe(true);
  });

  it('reports a corrupted reply as a typed error and recovers on the next command', async () => {
    const { reader, simulator } = await withSimulator();
    simulator.inject('corrupt-checksum');
    await expect(reader.status()).rejects.toMatchObject({ code: 'CNID_CORRUPT_REPLY', details: { cause: 'SAM_FRAME_CHECKSUM' } });
    await reader.status();
  });

  it('reads through line noise', async () => {
    const { reader, simulator } = await withSimulator();
    simulator.insert();
    simulator.inject('garbage', Infinity);
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    expect((await reader.readCard()).text.idNumber).toBe(SAMPLE_CNID_CARD.text.idNumber);
  });

  it('times out a silent reader with advice, and the next command still works', async () => {
    const { reader, simulator } = await withSimulator();
    simulator.inject('silence');
    await expect(reader.findCard()).rejects.toMatchObject({
      code: 'CNID_TIMEOUT', message: expect.stringMatching(/did not answer "find card" within 50 ms/),
    });
    expect(await reader.findCard()).toBe(false);
  });

  it('fails the command in flight when the link closes, and later ones at once', async () => {
    const { reader, simulator, device } = await withSimulator();
    simulator.inject('silence');
    const written = once(device, 'data');
    const pending = reader.status();
    await written;
    await device.close();
    await expect(pending).rejects.toMatchObject({ code: 'CNID_LINK_LOST' });
    await expect(reader.findCard()).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    reader.dispose();
    await expect(reader.findCard()).rejects.toMatchObject({ code: 'CNID_LINK_LOST' });
  });
});

describe('SamReader status mapping', () => {
  const expected: Array<[number, string]> = [
    [0x81, 'CNID_SELECT_FAILED'], [0x91, 'CNID_FIELD_EMPTY'], [0x10, 'CNID_REQUEST_CHECKSUM'],
    [0x11, 'CNID_REQUEST_LENGTH'], [0x21, 'CNID_BAD_COMMAND'], [0x23, 'CNID_NOT_PERMITTED'],
    [0x24, 'CNID_READER_ERROR'], [0x31, 'CNID_CARD_AUTH_FAILED'], [0x32, 'CNID_SAM_AUTH_FAILED'],
    [0x33, 'CNID_DATA_AUTH_FAILED'], [0x40, 'CNID_UNKNOWN_CARD'], [0x41, 'CNID_READ_FAILED'],
    [0x47, 'CNID_RANDOM_FAILED'], [0x60, 'CNID_SAM_SELF_TEST'], [0x66, 'CNID_SAM_NOT_AUTHORISED'],
    [0x9f, 'CNID_UNEXPECTED_STATUS'], [0x80, 'CNID_NO_CARD'], [0x55, 'CNID_UNEXPECTED_STATUS'],
  ];

  it.each(expected)('status %i becomes %s', async (sw3, code) => {
    const reader = await answeringWith(sw3);
    const error = await reader.selectCard().then(() => undefined, (failure: unknown) => failure);
    expect(error).toMatchObject({ code, details: { sw3, command: 'select card', link: 'memory scripted A' } });
  });

  it('says "no card on the reader" for 80 outside find card, and find card reports it as false', async () => {
    const reader = await answeringWith(0x80);
    await expect(reader.readCard()).rejects.toThrow(/no card on the reader/);
    expect(await reader.findCard()).toBe(false);
  });

  it('rejects a card reply whose lengths do not add up', async () => {
    const reader = await answeringWith(0x90);
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'CNID_BAD_REPLY' });
  });
});

describe('SamReader replaying traces', () => {
  async function replay(name: string): Promise<{ reader: SamReader; transport: ReplayTransport }> {
    const transport = new ReplayTransport(fixture(name), name);
    await transport.open();
    const reader = new SamReader(transport);
    readers.push(reader);
    return { reader, transport };
  }

  it('reads the recorded sample card', async () => {
    const { reader, transport } = await replay('read-card.trace');
    await reader.status();
    expect((await reader.samId()).text).toBe('05.01-20240115-0123456789-0000004242');
    expect(await reader.findCard()).toBe(false);
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    const card = await reader.readCard();
    expect(card.text).toEqual(SAMPLE_CNID_CARD.text);
    transport.assertConsumed();
  });

  it('reports a read failure from a hand-written trace', async () => {
    const { reader, transport } = await replay('read-failed.trace');
    expect(await reader.findCard()).toBe(true);
    await reader.selectCard();
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'CNID_READ_FAILED' });
    transport.assertConsumed();
  });

  it('fails the test when the driver sends something the trace does not expect', async () => {
    const { reader, transport } = await replay('read-failed.trace');
    await expect(reader.status()).rejects.toMatchObject({ code: 'TRACE_MISMATCH', details: { line: 3 } });
    expect(() => transport.assertConsumed()).toThrow(/line 3/);
  });
});

describe('decodeSamId', () => {
  it('falls back to hex for an id that is not 16 bytes', () => {
    expect(decodeSamId(Uint8Array.of(1, 2, 0xab))).toEqual({ text: '0102ab', hex: '0102ab' });
  });
});
