// Building blocks for the RPC contract: a procedure is declared once with its zod
// schemas, the roles that may call it and, when it changes state, the audit action it
// writes. Both hosts and the renderer's typed client derive everything from these.

import type { z } from 'zod';

export const ROLES = ['officer', 'supervisor', 'technician'] as const;
export type Role = (typeof ROLES)[number];

/** 'anyone' includes a person at the kiosk with no operator logged in. */
export type Access = 'anyone' | readonly Role[];

export interface ProcedureDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly input: I;
  readonly output: O;
  readonly access: Access;
  /** Audit action written in the same transaction as the change; absent = read-only. */
  readonly audit?: string;
}

export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly payload: P;
}

export function procedure<I extends z.ZodType, O extends z.ZodType>(def: ProcedureDef<I, O>): ProcedureDef<I, O> {
  return def;
}

export function event<P extends z.ZodType>(def: EventDef<P>): EventDef<P> {
  return def;
}

export type ProcedureMap = Record<string, ProcedureDef>;
export type EventMap = Record<string, EventDef>;

export type InputOf<P extends ProcedureDef> = z.input<P['input']>;
export type OutputOf<P extends ProcedureDef> = z.output<P['output']>;
export type PayloadOf<E extends EventDef> = z.output<E['payload']>;

/** The error shape every procedure failure takes on the wire. */
export interface RpcErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export type RpcResult<T = unknown> = { ok: true; output: T } | { ok: false; error: RpcErrorBody };

/** Codes the dispatcher itself produces; services add their own domain codes. */
export const RpcCodes = {
  badRequest: 'RPC_BAD_REQUEST',
  unknownMethod: 'RPC_UNKNOWN_METHOD',
  invalidInput: 'RPC_INVALID_INPUT',
  unauthenticated: 'RPC_UNAUTHENTICATED',
  forbidden: 'RPC_FORBIDDEN',
  invalidOutput: 'RPC_INVALID_OUTPUT',
  internal: 'RPC_INTERNAL',
} as const;
