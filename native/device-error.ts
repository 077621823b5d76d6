// The one error type every driver, codec and transport throws: a stable machine code
// plus what a person at the terminal needs to act (which device, which port, what to
// check). The RPC layer passes `code`, `message` and `details` through unchanged.

export class DeviceError extends Error {
  override readonly name = 'DeviceError';

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
