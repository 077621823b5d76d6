// The message format between a screen and the kiosk when they are not in one process
// (the browser host's WebSocket). Electron IPC carries the same call/result shapes.

import { z } from 'zod';
import type { RpcResult } from './define.js';

export const CallMessage = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().min(1).max(100),
  input: z.unknown(),
}).strict();
export type CallMessage = z.infer<typeof CallMessage>;

export type ServerMessage =
  | { t: 'result'; id: number; result: RpcResult }
  | { t: 'event'; name: string; payload: unknown };

/** Largest message a screen may send (camera frames included). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
