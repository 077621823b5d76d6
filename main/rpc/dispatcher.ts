// The one dispatcher both hosts use: validates input, checks the caller's role, runs
// the handler (state changes and their audit entry in one SQLite transaction),
// validates the output and turns every failure into a typed `{code, message, details}`.

import type { z } from 'zod';
import { DeviceError } from '../../native/device-error.js';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import type { Role } from './define.js';
import {
  RpcCodes, type Caller, type ProcedureDef, type ProcedureMap, type RpcErrorBody, type RpcResult,
} from './define.js';

export type { Caller };

export interface HandlerContext<C extends Caller = Caller> {
  readonly caller: C;
  /** Runs `change` and writes this procedure's audit entry in one transaction. */
  commit<T>(change: () => T, details?: (result: T) => Record<string, unknown>): T;
}

type MaybePromise<T> = T | Promise<T>;
export type Handler<P extends ProcedureDef, C extends Caller> =
  (input: z.output<P['input']>, ctx: HandlerContext<C>) => MaybePromise<z.input<P['output']>>;
export type Handlers<M extends ProcedureMap, C extends Caller> = { [K in keyof M]: Handler<M[K], C> };

export interface DispatcherLog {
  /** A refusal the screen shows translated; its message (ports, devices) is for technicians. */
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export class RpcDispatcher<M extends ProcedureMap, C extends Caller> {
  constructor(
    private readonly procedures: M,
    private readonly handlers: Handlers<M, C>,
    private readonly db: Db,
    private readonly log: DispatcherLog,
  ) {}

  async call(caller: C, method: string, rawInput: unknown): Promise<RpcResult> {
    if (!Object.hasOwn(this.procedures, method)) {
      return failure(RpcCodes.unknownMethod, `There is no procedure named "${method}".`, { method });
    }
    const name = method as keyof M & string;
    const def = this.procedures[name]!;
    const denied = checkAccess(def, caller.role);
    if (denied) return { ok: false, error: denied };

    const input = def.input.safeParse(rawInput ?? {});
    if (!input.success) {
      return failure(RpcCodes.invalidInput, `The request to ${method} is not valid.`, {
        issues: input.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      });
    }
    const refused = def.authorise?.(input.data, caller);
    if (refused) return failure(refused.code, refused.message, {});
    let output: unknown;
    try {
      output = await this.handlers[name](input.data as never, this.contextFor(def, caller));
    } catch (error) {
      return { ok: false, error: this.toErrorBody(method, error) };
    }
    const checked = def.output.safeParse(output);
    if (!checked.success) {
      this.log.error('rpc output failed its schema', { method, issues: checked.error.issues.length });
      return failure(RpcCodes.invalidOutput, 'The kiosk produced an invalid answer; this is a bug.', { method });
    }
    return { ok: true, output: checked.data };
  }

  private contextFor(def: ProcedureDef, caller: C): HandlerContext<C> {
    const { db } = this;
    return {
      caller,
      commit(change, details) {
        const action = def.audit;
        if (!action) throw new Error(`procedure "${def.summary}" declares no audit action`);
        return db.transaction(() => {
          const result = change();
          appendAudit(db, { actor: caller.actor, action, details: details?.(result) ?? {} });
          return result;
        })();
      },
    };
  }

  private toErrorBody(method: string, error: unknown): RpcErrorBody {
    if (error instanceof GatehouseError || error instanceof DeviceError) {
      this.log.warn('rpc refused', { method, code: error.code, reason: error.message });
      return { code: error.code, message: error.message, details: error.details };
    }
    this.log.error('rpc handler failed', { method, error: error instanceof Error ? error.message : String(error) });
    return { code: RpcCodes.internal, message: 'Something went wrong inside the kiosk. Try again; if it persists, call a technician.', details: { method } };
  }
}

function checkAccess(def: ProcedureDef, role: Role | null): RpcErrorBody | null {
  if (def.access === 'anyone') return null;
  if (role === null) {
    return { code: RpcCodes.unauthenticated, message: 'Log in first.', details: {} };
  }
  if (!def.access.includes(role)) {
    return { code: RpcCodes.forbidden, message: `A ${role} may not do this.`, details: { role, allowed: [...def.access] } };
  }
  return null;
}

function failure(code: string, message: string, details: Record<string, unknown>): RpcResult {
  return { ok: false, error: { code, message, details } };
}
