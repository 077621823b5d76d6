// Reading the audit log from a screen: the chain check, entries (oldest first after a sequence
// number, as tools read them, or newest first a page at a time, as the audit log section shows
// them), filtered by operator and by action, and the actions the log holds for the filter.
import { z } from 'zod';
import { procedure } from '../define.js';
import { AuditEntry, AuditVerification, Empty } from '../schemas.js';

const managers = ['supervisor', 'technician'] as const;

/** An action name as the kiosk writes them ("operator.create"); a prefix ends with "." ("operator."). */
const ActionName = z.string().min(1).max(64).regex(/^[a-z0-9.-]+$/);

export const AuditQuery = z.object({
  /** Oldest first: entries after this sequence number. */
  afterSeq: z.number().int().nonnegative().default(0),
  /** Newest first: entries before this sequence number (absent: from the newest). */
  beforeSeq: z.number().int().positive().optional(),
  order: z.enum(['oldest-first', 'newest-first']).default('oldest-first'),
  limit: z.number().int().min(1).max(500).default(100),
  /** Entries by this operator (the actor) or about them (details.operatorId). */
  operatorId: z.number().int().positive().optional(),
  /** Entries by this actor exactly ("operator:3", "anonymous", "kiosk" …). */
  actor: z.string().min(1).max(64).optional(),
  /** This action, or, ending with ".", every action starting so. */
  action: ActionName.optional(),
}).strict();

export const auditProcedures = {
  'audit.verify': procedure({
    summary: 'Check the audit hash chain and name the first broken entry.',
    input: Empty,
    output: AuditVerification,
    access: managers,
  }),
  'audit.list': procedure({
    summary: 'Audit entries, oldest first after a sequence number or newest first before one, filtered by operator, actor and action.',
    input: AuditQuery,
    output: z.array(AuditEntry),
    access: managers,
  }),
  'audit.actions': procedure({
    summary: 'Every action the audit log holds, for the screen\'s filter.',
    input: Empty,
    output: z.array(z.string()),
    access: managers,
  }),
} as const;
