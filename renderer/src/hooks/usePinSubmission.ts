// Submitting a form that carries a PIN: one submission at a time (busy), the failure kept
// for ErrorText, and the PIN field cleared after a failure so it is never retyped onto.
import { useCallback, type FormEvent } from 'react';
import { useAction } from './useAction';

export function usePinSubmission(clearPin: () => void) {
  const { busy, error, setError, run } = useAction();
  const submit = useCallback((work: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    await run(work, clearPin);
  }, [run, clearPin]);
  return { busy, error, setError, submit };
}
