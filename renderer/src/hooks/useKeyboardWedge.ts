// While the document step shows, forwards key presses with their timestamps to the
// kiosk, where the keyboard-wedge decoder tells a reader typing an MRZ from a person.
// Keys go in batches at each Enter (a reader ends every line with one) or after a pause.
import { useEffect } from 'react';
import type { RpcClient } from '../rpc/client';

const PAUSE_FLUSH_MS = 400;

export function useKeyboardWedge(client: RpcClient, active: boolean): void {
  useEffect(() => {
    if (!active) return undefined;
    let batch: Array<{ key: string; at: number }> = [];
    let timer: number | undefined;
    const flush = () => {
      window.clearTimeout(timer);
      if (batch.length > 0) void client.call('document.keyboardKeys', { keys: batch }).catch(() => undefined);
      batch = [];
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      batch.push({ key: event.key.slice(0, 16), at: Math.max(0, event.timeStamp) });
      if (event.key === 'Enter' || batch.length >= 200) flush();
      else {
        window.clearTimeout(timer);
        timer = window.setTimeout(flush, PAUSE_FLUSH_MS);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      flush();
    };
  }, [client, active]);
}
