// Run as a plain Node process by pcsc-process-exit.test.ts (compiled with tsc first): uses
// the card readers and a vpcd card the way the kiosk will, closes one set of readers with
// a card session open and another with its watch loop idle, then just returns. If close()
// left a handle behind (a PC/SC wait on a worker thread, a socket, a timer) the process
// would not exit; a report of what is still open is printed if it lingers.

import { once } from 'node:events';
import { VpcdCardEmulator } from '../../../../native/sim/vpcd-card.js';
import { PcscCardReaders } from '../../../../native/transport/pcsc-card-reader.js';
import { ElementaryFileCard } from '../../../fixtures/native/pcsc/elementary-file-card.js';

const readerName = process.env.GATEHOUSE_TEST_READER as string;
const emulator = new VpcdCardEmulator({ port: Number(process.env.GATEHOUSE_TEST_VPCD_PORT) });

// A session open and the card in the reader when the readers are closed.
const reading = new PcscCardReaders();
await reading.watch();
const inserted = once(reading, 'card-inserted');
await emulator.insert(new ElementaryFileCard({ content: new Uint8Array(300) }));
await inserted;
const session = await reading.connect(readerName);
const answer = await session.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01));
process.stdout.write(`select ${Buffer.from(answer).toString('hex')}\n`);
await reading.close();

// A watch loop with nothing left to report: only close() can end its wait.
const watching = new PcscCardReaders();
const present = once(watching, 'card-inserted');
await watching.watch();
await present;
const removed = once(watching, 'card-removed');
await emulator.remove();
await removed;
await watching.close();

process.stdout.write('closed\n');
setTimeout(() => {
  process.stderr.write(`still open after close: ${JSON.stringify(process.getActiveResourcesInfo())}\n`);
}, 10_000).unref();
