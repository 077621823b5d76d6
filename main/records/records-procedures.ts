// RPC handlers of the records list, of printing a slip again and of queueing a refused record
// again. An officer sees and reprints the records of enrollments they ran; a supervisor every
// record, and only a supervisor queues one again. A reprint is audited with the record's number,
// a re-queue with its id, number and refusal; never content.
import type { ScreenSession } from '../auth/screen-session.js';
import { GatehouseError } from '../errors.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { SlipPrinting } from '../slips/slip-printing.js';
import type { Db } from '../store/database.js';
import { kioskDay } from '../store/enrollment-numbers.js';
import { requeueRejectedRecord } from '../sync/record-requeue.js';
import { listRecords, startOfKioskDay } from './record-list.js';

export interface RecordsDeps {
  db: Db;
  now(): Date;
  /** Prints or saves slips (a printer's through the durable `slip.print` job). */
  slips: SlipPrinting;
}

export function recordsHandlers({ db, now, slips }: RecordsDeps)
  : Pick<Handlers<Procedures, ScreenSession>, 'records.list' | 'records.printSlip' | 'records.requeue'> {
  /** Officers only their own enrollments' records; supervisors every one. */
  const scopeOf = (screen: ScreenSession) => (screen.role === 'supervisor' ? null : screen.operator!.id);
  return {
    'records.list': (_input, ctx) => {
      const at = now();
      return { day: kioskDay(at), entries: listRecords(db, { since: startOfKioskDay(at), operatorId: scopeOf(ctx.caller) }) };
    },
    'records.printSlip': async ({ recordId, language }, ctx) => {
      const [entry] = listRecords(db, { recordId, operatorId: scopeOf(ctx.caller) });
      if (!entry) throw new GatehouseError('RECORD_NOT_FOUND', 'There is no record of yours with that id on this kiosk.', { recordId });
      return slips.print(recordId, language, (change, details) => ctx.commit(change, details));
    },
    'records.requeue': ({ recordId }, ctx) => {
      const requeued = ctx.commit(() => requeueRejectedRecord(db, recordId, now()), (r) => ({ recordId: r.recordId, number: r.number, code: r.code, reason: r.reason }));
      return { recordId: requeued.recordId, number: requeued.number };
    },
  };
}
