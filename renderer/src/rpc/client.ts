// The renderer's typed RPC client, derived from the contract's declarations: method
// names, inputs, outputs and event payloads are all checked by the compiler.

import type { EventName, Events, MethodName, Procedures } from '../../../main/rpc/contract';
import type { InputOf, OutputOf, PayloadOf, RpcErrorBody } from '../../../main/rpc/define';
import type { RpcBridge } from '../../../main/rpc/bridge';

export class RpcError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(body: RpcErrorBody) {
    super(body.message);
    this.code = body.code;
    this.details = body.details;
  }
}

export interface RpcClient {
  call<M extends MethodName>(method: M, input: InputOf<Procedures[M]>): Promise<OutputOf<Procedures[M]>>;
  on<E extends EventName>(name: E, listener: (payload: PayloadOf<Events[E]>) => void): () => void;
}

export function createRpcClient(bridge: RpcBridge): RpcClient {
  return {
    async call(method, input) {
      const result = await bridge.call(method, input);
      if (!result.ok) throw new RpcError(result.error);
      return result.output as never;
    },
    on(name, listener) {
      return bridge.onEvent((eventName, payload) => {
        if (eventName === name) listener(payload as never);
      });
    },
  };
}
