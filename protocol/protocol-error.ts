// The error and result types of the shared authority protocol: a stable code a program can
// branch on and a message a person can act on, whether thrown (envelopes, bundles, keys) or
// returned (request and document verification).

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A verification outcome: `ok` with what was learnt, or a refusal with its code. */
export type Checked<Code extends string, Value extends object = object> =
  | ({ ok: true } & Value)
  | { ok: false; code: Code; message: string };
