// The reader's file-reading session: first the 9303-11 Appendix D.4 exchange replayed byte for
// byte (SELECT EF.COM, READ BINARY of 4 bytes, READ BINARY of the remaining 18; source quoted in
// secure-messaging.test.ts), then a reader talking to a virtual chip built from the chip-side
// pieces: BAC, a multi-kilobyte DG2 with progress events, short file ids, offsets beyond 32767,
// extended length and its fallback, the typed refusals, and tampering in transit.

import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DeviceError } from '../../../../native/device-error.js';
import { parseCommandApdu, encodeResponseApdu } from '../../../../native/transport/command-apdu.js';
import { bac, type MrzAccessFields } from '../../../../native/emrtd/bac.js';
import { encodeTlv } from '../../../../native/emrtd/ber-tlv.js';
import { PlainChannel, SecureChannel } from '../../../../native/emrtd/chip-channel.js';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';
import { EmrtdSession, type EmrtdSessionOptions, type FileReadProgress } from '../../../../native/emrtd/emrtd-session.js';
import { performPace } from '../../../../native/emrtd/pace.js';
import { ChipSecureMessaging, SecureMessaging, type SessionKeys } from '../../../../native/emrtd/secure-messaging.js';
import { paceInfo, paceProtocolOid } from '../../../../native/emrtd/security-infos.js';
import { ChipFileSystem, type ChipFile } from '../../../../native/sim/emrtd/chip-file-system.js';
import { VirtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { failure, hex, loggingTransport, scriptedTransport, seededRandom, toHex } from './emrtd-fixtures.js';

const EF_COM = hex('60145F0104303130365F36063034303030305C026175');

describe('9303-11 Appendix D.4 replayed', () => {
  it('reads EF.COM by file id with exactly the worked example\'s three protected exchanges', async () => {
    const transport = scriptedTransport([
      ['0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800', '990290008E08FA855A5D4C50A8ED9000'],
      ['0CB000000D9701048E08ED6705417E96BA5500', '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000'],
      ['0CB000040D9701128E082EA28A70F3C7B53500',
        '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000'],
    ]);
    const sm = new SecureMessaging({
      cipher: '3des', ksEnc: hex('979EC13B1CBFE9DCD01AB0FED307EAE5'), ksMac: hex('F1CB1F1FB5ADF208806B89DC579DC1F8'),
      ssc: hex('887022120C06C226'),
    });
    const progress: FileReadProgress[] = [];
    const session = new EmrtdSession(new SecureChannel(transport, sm));
    expect(session.chunkSize).toBe(231);
    const content = await session.readFile({ fileId: 0x011e }, { onProgress: (p) => progress.push(p) });
    expect(toHex(content)).toBe(toHex(EF_COM));
    expect(progress).toEqual([{ bytesRead: 4, total: 22 }, { bytesRead: 22, total: 22 }]);
    transport.assertConsumed();
  });
});

const HOLDER: MrzAccessFields = { documentNumber: 'L898902C', birthDate: '690806', expiryDate: '940623' };
const random = seededRandom(2024);
const DG2 = encodeTlv(0x75, random(20_000));
const DG5 = encodeTlv(0x65, random(40_000));
const FILES: ChipFile[] = [
  { fileId: 0x011e, shortFileId: 0x1e, content: EF_COM },
  { fileId: 0x0101, shortFileId: 0x01, content: encodeTlv(0x61, encodeTlv(0x5f1f, new TextEncoder().encode('P<UTO'.padEnd(88, '<')))) },
  { fileId: 0x0102, shortFileId: 0x02, content: DG2 },
  { fileId: 0x0103, shortFileId: 0x03, content: encodeTlv(0x63, random(300)), requires: 'extended-access-control' },
  { fileId: 0x0105, shortFileId: 0x05, content: DG5 },
  // Announces 1000 bytes, holds 500.
  { fileId: 0x0106, shortFileId: 0x06, content: Uint8Array.from([0x66, 0x82, 0x03, 0xe8, ...random(496)]) },
  { fileId: 0x0107, shortFileId: 0x07, content: Uint8Array.from([0x67, 0x83, 0x20, 0x00, 0x00, ...random(64)]) },
];

/** A chip with FILES that opens with BAC for HOLDER; its commands logged. */
const bacChip = () => loggingTransport(new VirtualChip({ files: FILES, bac: HOLDER, random: seededRandom(7) }));

/** Plain SELECT of the application, BAC, then a session under secure messaging. */
async function afterBac(options: EmrtdSessionOptions = {}, wrap: (chip: ApduTransport) => ApduTransport = (chip) => chip) {
  const chip = bacChip();
  const transport = wrap(chip);
  await new EmrtdSession(new PlainChannel(transport)).selectApplication();
  const sm = await bac(transport, HOLDER);
  const session = new EmrtdSession(new SecureChannel(transport, sm), options);
  const commandsBefore = chip.commands.length;
  const readCommands = () => chip.commands.slice(commandsBefore).filter((c) => c[1] === 0xb0 || c[1] === 0xb1);
  return { chip, sm, session, readCommands };
}

describe('reader ↔ virtual chip', () => {
  it('reads a 20 KB DG2 after BAC in 231-byte chunks, reporting progress up to the total', async () => {
    const { session, readCommands } = await afterBac();
    const progress: FileReadProgress[] = [];
    const content = await session.readFile({ fileId: 0x0102 }, { onProgress: (p) => progress.push(p) });
    expect(Buffer.from(content).equals(Buffer.from(DG2))).toBe(true);
    expect(progress[0]).toEqual({ bytesRead: 4, total: DG2.length });
    expect(progress.at(-1)).toEqual({ bytesRead: DG2.length, total: DG2.length });
    expect(progress.every((p, i) => i === 0 || p.bytesRead > progress[i - 1]!.bytesRead)).toBe(true);
    expect(readCommands()).toHaveLength(1 + Math.ceil((DG2.length - 4) / 231));
    // Every protected command stayed short: Le '00' at the end, no extended length.
    expect(readCommands().every((c) => !parseCommandApdu(c).extended)).toBe(true);
  });

  it('reads by short file id: the first READ BINARY selects the file (P1 = 80 | SFI), no SELECT', async () => {
    const { chip, session, readCommands } = await afterBac();
    const before = chip.commands.length;
    expect(await session.readFile({ shortFileId: 0x1e })).toEqual(EF_COM);
    expect(chip.commands.slice(before).some((c) => c[1] === 0xa4)).toBe(false);
    expect(readCommands()).toHaveLength(2);
    // The header travels in clear (only authenticated): P1 = 80 | 1E.
    expect(readCommands()[0]![2]).toBe(0x9e);
  });

  it('reads past offset 32767 with READ BINARY B1 (offset in DO\'54\', data in DO\'53\')', async () => {
    const { session, readCommands } = await afterBac();
    const content = await session.readFile({ shortFileId: 0x05 });
    expect(Buffer.from(content).equals(Buffer.from(DG5))).toBe(true);
    expect(readCommands().some((c) => c[1] === 0xb1)).toBe(true);
    expect(readCommands().filter((c) => c[1] === 0xb0).every((c) => ((c[2]! << 8) | c[3]!) <= 0x7fff || (c[2]! & 0x80) !== 0)).toBe(true);
  });

  it('reads in fewer, extended-length commands when allowed, with the chunk size as a parameter', async () => {
    const { session, readCommands } = await afterBac({ extendedLength: true, chunkSize: 4096 });
    expect(await session.readFile({ fileId: 0x0102 })).toEqual(DG2);
    expect(readCommands()).toHaveLength(1 + Math.ceil((DG2.length - 4) / 4096));
    expect(parseCommandApdu(readCommands()[1]!).extended).toBe(true);

    const small = await afterBac({ chunkSize: 100 });
    expect(await small.session.readFile({ fileId: 0x0102 })).toEqual(DG2);
    expect(small.readCommands()).toHaveLength(1 + Math.ceil((DG2.length - 4) / 100));
  });

  it('reports a plain 6700 to an extended read, which also ends secure messaging', async () => {
    const { session, sm } = await afterBac({ extendedLength: true }, (chip) => ({
      description: 'wrapped chip',
      async transmit(bytes) {
        return parseCommandApdu(bytes).extended ? hex('6700') : chip.transmit(bytes);
      },
    }));
    expect(await failure(session.readFile({ fileId: 0x0102 }))).toMatchObject({
      code: 'CHIP_COMMAND_FAILED', details: { sw: '6700', secureMessagingEnded: true },
    });
    expect(sm.isOpen).toBe(false);
  });

  it('falls back to short reads when the chip answers an extended read with a protected 6700', async () => {
    const keys: SessionKeys = { cipher: 'aes-128', ksEnc: random(16), ksMac: random(16) };
    const files = new ChipFileSystem(FILES);
    const chipSm = new ChipSecureMessaging(keys);
    let extendedRefused = 0;
    const transport: ApduTransport = {
      description: 'test transport',
      async transmit(bytes) {
        const command = chipSm.unprotectCommand(bytes);
        if (command.extended) {
          extendedRefused++;
          return chipSm.protectResponse({ data: new Uint8Array(0), sw: 0x6700 });
        }
        return chipSm.protectResponse(files.answer(command, { accessControl: true }));
      },
    };
    const channel = new SecureChannel(transport, new SecureMessaging(keys));
    await new EmrtdSession(channel).selectApplication();
    const session = new EmrtdSession(channel, { extendedLength: true, chunkSize: 2048 });
    expect(await session.readFile({ fileId: 0x0102 })).toEqual(DG2);
    expect(extendedRefused).toBe(1);
    expect(session.chunkSize).toBe(223);
  });

  it('types a missing file (6A82) and keeps the session; types 6982 for a file behind Extended Access Control', async () => {
    const { sm, session } = await afterBac();
    expect(await failure(session.readFile({ fileId: 0x010f }))).toMatchObject({
      code: 'CHIP_FILE_NOT_FOUND', details: { sw: '6A82', file: '010F' },
    });
    expect(await failure(session.readFile({ shortFileId: 0x0e }))).toMatchObject({ code: 'CHIP_FILE_NOT_FOUND' });
    const denied = await failure(session.readFile({ fileId: 0x0103 }));
    expect(denied).toMatchObject({ code: 'CHIP_SECURITY_STATUS_NOT_SATISFIED', details: { sw: '6982' } });
    expect(denied.message).toMatch(/Extended Access Control/);
    expect(sm.isOpen).toBe(true);
    expect(await session.readFile({ fileId: 0x011e })).toEqual(EF_COM);
  });

  it('types 6982 for a read before any access control', async () => {
    const chip = bacChip();
    const plain = new EmrtdSession(new PlainChannel(chip));
    await plain.selectApplication();
    expect(await failure(plain.readFile({ shortFileId: 0x1e }))).toMatchObject({ code: 'CHIP_SECURITY_STATUS_NOT_SATISFIED' });
  });

  it('stops a file that is shorter than announced, and one that announces too much', async () => {
    const { session } = await afterBac();
    expect(await failure(session.readFile({ fileId: 0x0106 }))).toMatchObject({ code: 'CHIP_COMMAND_FAILED', details: { sw: '6B00' } });
    expect(await failure(session.readFile({ fileId: 0x0107 }))).toMatchObject({ code: 'CHIP_FILE_TOO_LARGE' });
  });

  it('refuses a bit flipped in transit (CHIP_SM_MAC) and refuses to go on afterwards', async () => {
    let flip = false;
    const { session } = await afterBac({}, (chip) => ({
      description: 'wrapped chip',
      async transmit(bytes) {
        const response = Uint8Array.from(await chip.transmit(bytes));
        if (flip) response[5]! ^= 0x10;
        return response;
      },
    }));
    flip = true;
    expect((await failure(session.readFile({ fileId: 0x0102 }))).code).toMatch(/^CHIP_SM_(MAC|MALFORMED)$/);
    flip = false;
    expect((await failure(session.readFile({ fileId: 0x011e }))).code).toBe('CHIP_SM_CLOSED');
  });

  it('ends the session when the transport fails mid-exchange', async () => {
    let fail = false;
    const { sm, session } = await afterBac({}, (chip) => ({
      description: 'wrapped chip',
      async transmit(bytes) {
        if (fail) throw new DeviceError('TRANSPORT_LOST', 'card removed');
        return chip.transmit(bytes);
      },
    }));
    fail = true;
    expect((await failure(session.readFile({ fileId: 0x011e }))).code).toBe('TRANSPORT_LOST');
    expect(sm.isOpen).toBe(false);
  });

  it('says so when a wrong MRZ is typed', async () => {
    const chip = bacChip();
    await new EmrtdSession(new PlainChannel(chip)).selectApplication();
    expect((await failure(bac(chip, { ...HOLDER, expiryDate: '940624' }))).code).toBe('CHIP_BAC_DENIED');
  });

  it('under AES secure messaging (after PACE) reads in 223-byte chunks whose protected answers fit 256 bytes', async () => {
    const cardAccess = [paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-256'), 13)];
    const chip = new VirtualChip({ files: FILES, pace: { cardAccess, mrz: HOLDER }, random: seededRandom(8) });
    const sizes: number[] = [];
    const transport: ApduTransport = {
      description: 'test transport',
      async transmit(bytes) {
        const response = await chip.transmit(bytes);
        sizes.push(response.length - 2);
        return response;
      },
    };
    const { session: sm } = await performPace(transport, cardAccess, { kind: 'mrz', fields: HOLDER }, { random: seededRandom(9) });
    expect(sm.cipher).toBe('aes-256');
    const session = new EmrtdSession(new SecureChannel(transport, sm));
    await session.selectApplication();
    expect(session.chunkSize).toBe(223);
    expect(await session.readFile({ fileId: 0x0102 })).toEqual(DG2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256);
  });
});

describe('session edges', () => {
  it('refuses a chunk above the short limit unless extended length is allowed, and bad short file ids', async () => {
    const transport = scriptedTransport([]);
    expect(() => new EmrtdSession(new PlainChannel(transport), { chunkSize: 300 })).toThrow(RangeError);
    expect(new EmrtdSession(new PlainChannel(transport), { chunkSize: 300, extendedLength: true }).chunkSize).toBe(300);
    expect(new EmrtdSession(new PlainChannel(transport)).chunkSize).toBe(256);
    await expect(new EmrtdSession(new PlainChannel(transport)).readFile({ shortFileId: 31 })).rejects.toThrow(RangeError);
  });

  it('tells a card without the eMRTD application apart', async () => {
    const transport = scriptedTransport([['00A4040C07A0000002471001', '6A82']]);
    expect((await failure(new EmrtdSession(new PlainChannel(transport)).selectApplication())).code).toBe('CHIP_NOT_EMRTD');
  });

  it('retries with the length a plain 6Cxx names, reads headers split over two answers, and accepts 6282', async () => {
    const file = encodeTlv(0x5f2e, randomBytes(300));
    const transport = scriptedTransport([
      ['00B09E0004', '6C02'],
      ['00B09E0002', `${toHex(file.subarray(0, 2))}9000`],
      ['00B0000201', `${toHex(file.subarray(2, 3))}9000`],
      ['00B0000302', `${toHex(file.subarray(3, 5))}9000`],
      ['00B0000500', `${toHex(file.subarray(5, 261))}9000`],
      ['00B001052C', `${toHex(file.subarray(261))}6282`],
    ]);
    expect(await new EmrtdSession(new PlainChannel(transport)).readFile({ shortFileId: 0x1e })).toEqual(file);
    transport.assertConsumed();
  });

  it('stops when the chip returns no data', async () => {
    const transport = scriptedTransport([['00A4020C020101', '9000'], ['00B0000004', '9000']]);
    expect((await failure(new EmrtdSession(new PlainChannel(transport)).readFile({ fileId: 0x0101 }))).code).toBe('CHIP_READ_STALLED');
  });

  it('answers B1 reads on the chip side with DO\'53\' inside Le', async () => {
    const chip = bacChip();
    const plain = new PlainChannel(chip);
    await new EmrtdSession(plain).selectApplication();
    const sm = await bac(chip, HOLDER);
    const channel = new SecureChannel(chip, sm);
    await new EmrtdSession(channel).selectFile(0x0105);
    const response = await channel.send({ cla: 0, ins: 0xb1, p1: 0, p2: 0, data: hex('54028000'), ne: 100 });
    expect(response.sw).toBe(0x9000);
    expect(response.data.length).toBeLessThanOrEqual(100);
    expect(toHex(response.data.subarray(0, 2))).toBe('5360');
    expect(response.data.subarray(2)).toEqual(DG5.subarray(0x8000, 0x8000 + 0x60));
    expect(encodeResponseApdu(response)).toHaveLength(response.data.length + 2);
  });
});
