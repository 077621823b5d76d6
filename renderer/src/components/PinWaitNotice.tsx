// What an operator sees after too many wrong PINs (AUTH_LOCKED for their name, AUTH_STATION_LOCKED
// for this kiosk): why, a countdown to the next try, and the finger as the way in meanwhile when
// the scanner is there; then that the PIN may be tried again. `scope` words it for its screen
// (`login.pinWait.*`: "log in with your finger"), else `credential.pinWait.*`.
import { useTranslation } from 'react-i18next';
import { useCountdown } from '../hooks/useCountdown';
import { RpcError } from '../rpc/client';

export interface PinWait {
  code: 'AUTH_LOCKED' | 'AUTH_STATION_LOCKED';
  seconds: number;
}

/** The wait an RPC failure announces; null when it is some other failure. */
export function pinWaitOf(error: unknown): PinWait | null {
  if (!(error instanceof RpcError)) return null;
  const seconds = error.details.retryAfterSeconds;
  if (typeof seconds !== 'number' || !(seconds > 0)) return null;
  return error.code === 'AUTH_LOCKED' || error.code === 'AUTH_STATION_LOCKED' ? { code: error.code, seconds } : null;
}

/** Seconds left of the wait `error` announces, counted down; 0 when none is left. */
export function usePinWait(error: unknown): { wait: PinWait | null; left: number } {
  const wait = pinWaitOf(error);
  return { wait, left: useCountdown(wait?.seconds ?? null, error) };
}

export function PinWaitNotice({ wait, left, withFinger, scope }: {
  wait: PinWait;
  left: number;
  /** The scanner is there to log in (or confirm) by finger instead. */
  withFinger: boolean;
  scope?: string;
}) {
  const { t, i18n } = useTranslation();
  if (left <= 0) return <p className="notice" role="status" data-testid="pin-wait-over">{t('credential.pinWait.ready')}</p>;
  const next = withFinger ? 'waitOrFinger' : 'wait';
  const scoped = scope ? `${scope}.pinWait.${next}` : null;
  const key = scoped && i18n.exists(`${scoped}_other`) ? scoped : `credential.pinWait.${next}`;
  return (
    <p className="error" role="alert" data-testid="error" data-code={wait.code} data-seconds={left}>
      {t(wait.code === 'AUTH_LOCKED' ? 'credential.pinWait.operator' : 'credential.pinWait.station', { next: t(key, { count: left }) })}
    </p>
  );
}
