// Gives every component the typed RPC client without passing it down by hand.
import { createContext, useContext } from 'react';
import type { RpcClient } from './rpc/client';

export const KioskContext = createContext<RpcClient | null>(null);

export function useKiosk(): RpcClient {
  const client = useContext(KioskContext);
  if (!client) throw new Error('useKiosk outside KioskContext');
  return client;
}
