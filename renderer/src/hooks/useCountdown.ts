// Whole seconds left of a wait the kiosk announced (`seconds`, counted from when `from` changed,
// e.g. the failure that announced it), on the screen's own clock; 0 when over or when none.
import { useEffect, useState } from 'react';

export function useCountdown(seconds: number | null, from: unknown): number {
  const [tick, setTick] = useState<{ from: unknown; left: number }>({ from, left: seconds ?? 0 });
  useEffect(() => {
    if (seconds === null || seconds <= 0) return undefined;
    const ends = Date.now() + seconds * 1000;
    const timer = setInterval(() => {
      const left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      setTick({ from, left });
      if (left === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [seconds, from]);
  // Until the first tick of a new wait, the whole wait is left.
  return tick.from === from ? tick.left : (seconds ?? 0);
}
