// Building blocks for the RPC contract: a procedure is declared once with its zod
// schemas, the roles that may call it (and, where the rule depends on the input or on an
// officer present at the screen, an authorise hook) and, when it changes state, the audit
// action it writes. Both hosts and the renderer's typed client derive everything from these.

import type { z } from 'zod';

export const ROLES = ['officer', 'supervisor', 'technician'] as const;
export type Role = (typeof ROLES)[number];

/** 'anyone' includes a person at the kiosk with no operator logged in. */
export type Access = 'anyone' | readonly Role[];

/** Who is calling: one per screen (a WebSocket connection or an Electron window). */
export interface Caller {
  /** The role of the operator logged in on the screen; null for a person alone at the kiosk. */
  readonly role: Role | null;
  /** Audit actor, e.g. "operator:3"; "anonymous" when nobody is logged in. */
  readonly actor: string;
  /**
   * An officer or supervisor is at the screen: logged in, or called to a business owner's
   * screen and identified there without logging the screen in.
   */
  readonly officerPresent: boolean;
}

/** A refusal by an authorise hook: what the person is told and the code programs see. */
export interface Refusal {
  code: typeof RpcCodes.unauthenticated | typeof RpcCodes.forbidden;
  message: string;
}

const OFFICER_ROLES: readonly Role[] = ['officer', 'supervisor'];

/** An officer or supervisor must be at the screen (logged in, or called to it). */
export function officerPresent(caller: Caller, message = 'An officer must do this: call one to the kiosk.'): Refusal | null {
  return caller.officerPresent ? null : { code: RpcCodes.forbidden, message };
}

/** An officer or supervisor must be logged in on the screen. */
export function officerLoggedIn(caller: Caller, message: string): Refusal | null {
  if (caller.role === null) return { code: RpcCodes.unauthenticated, message };
  return OFFICER_ROLES.includes(caller.role) ? null : { code: RpcCodes.forbidden, message };
}

export interface ProcedureDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly input: I;
  readonly output: O;
  readonly access: Access;
  /** Further rules for callers the roles let in; null lets the call through (method syntax: checked bivariantly). */
  authorise?(input: z.output<I>, caller: Caller): Refusal | null;
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
