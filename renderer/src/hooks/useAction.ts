// Running one piece of work a person started (a button, a form): busy while it runs, its
// failure kept for ErrorText, and an optional clean-up when it fails (clear a typed PIN).
import { useCallback, useState } from 'react';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<unknown>, onFailure?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
      onFailure?.();
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
