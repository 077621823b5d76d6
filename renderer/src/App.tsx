// The kiosk's screens as one small state machine: start → (login | first run | flow),
// plus the idle countdown and the return to the start when a session ends.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { Flow, Operator } from '../../main/rpc/contract';
import { Header } from './components/Header';
import { IdleOverlay } from './components/IdleOverlay';
import { StatusBar } from './components/StatusBar';
import { setLanguage } from './i18n/i18n';
import { useKiosk } from './kiosk-context';
import type { RpcClient } from './rpc/client';
import { FirstRunScreen } from './screens/FirstRunScreen';
import { FlowScreen } from './screens/FlowScreen';
import { LoginScreen } from './screens/LoginScreen';
import { StartScreen, type StartChoice } from './screens/StartScreen';
import { StaffScreen } from './screens/StaffScreen';

type OperatorView = z.infer<typeof Operator>;
type View =
  | { name: 'loading' }
  | { name: 'start' }
  | { name: 'firstRun' }
  | { name: 'login'; then: 'staff' | Flow }
  | { name: 'staff' }
  | { name: 'flow'; flow: Flow };

const TOUCH_THROTTLE_MS = 2_000;

export function App() {
  const client = useKiosk();
  const [view, setView] = useState<View>({ name: 'loading' });
  const [simulated, setSimulated] = useState(false);
  const [operator, setOperator] = useState<OperatorView | null>(null);
  const [idleLeft, setIdleLeft] = useState<number | null>(null);

  const load = useCallback(async (firstLoad: boolean) => {
    const info = await client.call('system.info', {});
    setSimulated(info.simulatedDevices);
    if (firstLoad && info.settings.defaultLanguage !== 'en') setLanguage(info.settings.defaultLanguage);
    setView(info.firstRun ? { name: 'firstRun' } : { name: 'start' });
  }, [client]);

  useEffect(() => { void load(true); }, [load]);
  useEffect(() => client.on('session.idleWarning', ({ secondsLeft }) => setIdleLeft(secondsLeft)), [client]);
  useEffect(() => client.on('session.ended', () => {
    // The next person meets the start screen in the station's language, as it is set now.
    client.call('system.info', {}).then((info) => setLanguage(info.settings.defaultLanguage), () => undefined);
    setOperator(null);
    setIdleLeft(null);
    setView({ name: 'start' });
  }), [client]);

  const away = view.name !== 'start' && view.name !== 'loading' && view.name !== 'firstRun';
  const clearIdle = useCallback(() => setIdleLeft(null), []);
  const touch = useActivityReporter(client, away, clearIdle);

  const choose = (choice: StartChoice) => {
    if (choice === 'company') setView({ name: 'flow', flow: 'company' });
    else if (choice === 'person' && operator && operator.role !== 'technician') setView({ name: 'flow', flow: 'person' });
    else setView({ name: 'login', then: choice === 'person' ? 'person' : 'staff' });
  };

  return (
    <div className="kiosk">
      <Header simulated={simulated} />
      {view.name === 'start' && <StartScreen onChoose={choose} />}
      {view.name === 'firstRun' && <FirstRunScreen onCreated={() => void load(false)} />}
      {view.name === 'login' && (
        <LoginScreen
          reason={view.then === 'person' ? 'login.officerNeeded' : undefined}
          onCancel={() => setView({ name: 'start' })}
          onLoggedIn={(op) => {
            setOperator(op);
            setView(view.then === 'staff' || op.role === 'technician' ? { name: 'staff' } : { name: 'flow', flow: view.then });
          }}
        />
      )}
      {view.name === 'staff' && operator && (
        <StaffScreen operator={operator}
          onEnroll={() => setView({ name: 'flow', flow: 'person' })}
          onLogout={() => void client.call('auth.logout', {})} />
      )}
      {view.name === 'flow' && <FlowScreen flow={view.flow} onExit={() => setView(operator ? { name: 'staff' } : { name: 'start' })} />}
      <StatusBar />
      {idleLeft !== null && <IdleOverlay secondsLeft={idleLeft} onStay={touch} />}
    </div>
  );
}

/** Tells the kiosk the person is active (throttled), and whether the screen is away
 *  from the start; returns a function that reports activity right now. */
function useActivityReporter(client: RpcClient, away: boolean, onActivity: () => void): () => void {
  const awayRef = useRef(away);
  const activityRef = useRef(onActivity);
  activityRef.current = onActivity;
  const lastSent = useRef(0);
  const send = useCallback(() => {
    lastSent.current = Date.now();
    activityRef.current();
    client.call('session.touch', { away: awayRef.current }).catch(() => undefined);
  }, [client]);

  useEffect(() => {
    awayRef.current = away;
    send();
  }, [away, send]);

  useEffect(() => {
    const handler = () => {
      activityRef.current();
      if (Date.now() - lastSent.current > TOUCH_THROTTLE_MS) send();
    };
    window.addEventListener('pointerdown', handler, true);
    window.addEventListener('keydown', handler, true);
    return () => {
      window.removeEventListener('pointerdown', handler, true);
      window.removeEventListener('keydown', handler, true);
    };
  }, [send]);
  return send;
}
