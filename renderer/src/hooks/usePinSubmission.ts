// Submitting a form that carries a PIN: one submission at a time (busy), the failure kept
// for ErrorText, and the PIN field cleared after a failure so it is never retyped onto.
import { useCallback, useState, type FormEvent } from 'react';

export function usePinSubmission(clearPin: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = useCallback((work: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
      clearPin();
    } finally {
      setBusy(false);
    }
  }, [clearPin]);
  return { busy, error, setError, submit };
}
