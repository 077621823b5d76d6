// The error type of the kiosk's services: a stable code for programs, a message for
// the person at the terminal, and details that are safe to show (never biometric data
// or document numbers). The RPC dispatcher returns these as `{code, message, details}`.

export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
