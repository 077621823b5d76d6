// The error type of the authority service: the HTTP status it answers with, a stable code, a
// message the kiosk's technician or the operator can act on, and details safe to show. The HTTP
// layer sends it as `{code, message, details}`; the CLI prints it as one line.

export class AuthorityError extends Error {
  override readonly name = 'AuthorityError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
