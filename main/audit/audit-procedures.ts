// RPC handlers that let supervisors and technicians read and verify the audit log.

import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { auditActions, listAudit } from './audit-log.js';
import { verifyAudit } from './audit-verify.js';

export function auditHandlers(db: Db): Pick<Handlers<Procedures, Caller>, 'audit.verify' | 'audit.list' | 'audit.actions'> {
  return {
    'audit.verify': () => {
      const result = verifyAudit(db);
      return { ok: result.ok, entries: result.entries, firstBroken: result.ok ? null : result.firstBroken };
    },
    'audit.list': (query) =>
      listAudit(db, query).map(({ seq, at, actor, action, details }) => ({ seq, at, actor, action, details })),
    'audit.actions': () => auditActions(db),
  };
}
