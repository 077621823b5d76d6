// verifyAuditInSteps, the running kiosk's audit check that yields between batches, answers
// exactly as verifyAudit for any log and any one change or removal, across batch boundaries.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import { verifyAudit, verifyAuditInSteps } from '../../../../main/audit/audit-verify.js';
import { openDatabase } from '../../../../main/store/database.js';

const AT = new Date('2026-03-01T09:00:00.000Z');

describe('verifyAuditInSteps', () => {
  it('agrees with verifyAudit on intact, changed and shortened logs, whatever the batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.constantFrom('none', 'change', 'delete'),
        async (count, batch, pick, tamper) => {
          const db = openDatabase(':memory:');
          for (let i = 1; i <= count; i += 1) appendAudit(db, { actor: 'anna', action: `step.${i}`, details: { i }, at: AT });
          db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete');
          const seq = count === 0 ? 0 : (pick % count) + 1;
          if (tamper === 'change') db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = ?").run(seq);
          if (tamper === 'delete') db.prepare('DELETE FROM audit WHERE seq = ?').run(seq);
          expect(await verifyAuditInSteps(db, batch)).toEqual(verifyAudit(db));
          db.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
