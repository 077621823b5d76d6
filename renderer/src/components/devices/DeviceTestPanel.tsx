// A technician's test of one device: the kiosk waits (up to TEST_SECONDS, counted down on
// screen) for a document, a finger or a card, and this shows what the device gave: the
// document's fields with their checks, the finger image with its quality estimate, the chip
// reader and its card. "Stop waiting" stops the kiosk's wait too (`devices.cancelTest`), so the
// device is free to test again at once. On a simulated device the simulator's buttons stand beside it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DeviceTestResult, TestableRole } from '../../../../main/rpc/procedures/devices';
import { useCountdown } from '../../hooks/useCountdown';
import { useKiosk } from '../../kiosk-context';
import { RpcError } from '../../rpc/client';
import { DocumentFieldTable } from '../DocumentFieldTable';
import { DocumentSimulatorPanel } from '../DocumentSimulatorPanel';
import { ErrorText } from '../ErrorText';
import { FingerQualityComponents } from '../FingerQualityComponents';
import { FingerSimulatorPanel } from '../FingerSimulatorPanel';

type Role = z.infer<typeof TestableRole>;
type Result = z.infer<typeof DeviceTestResult>;

/** How long a test waits for a document, finger or card. */
export const TEST_SECONDS = 30;

export function DeviceTestPanel({ role, simulated, readerKind, onClose }: {
  role: Role;
  /** The device is a simulator: its buttons are offered. */
  simulated: boolean;
  /** The document reader's family, for the simulator's sample documents. */
  readerKind: 'mrz' | 'cnid';
  onClose(): void;
}) {
  const client = useKiosk();
  const { t, i18n } = useTranslation();
  // Each run is its own object, so the countdown starts over and a late answer of an old run is dropped.
  const [run, setRun] = useState(() => ({ started: Date.now() }));
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const waiting = result === null && error === null;
  const left = useCountdown(waiting ? TEST_SECONDS : null, run);
  // A device not ready to test says what is wrong in the card's own words for its problem.
  const notReady = error instanceof RpcError && error.code === 'DEVICE_NOT_READY' && typeof error.details.problem === 'string'
    && i18n.exists(`devices.problems.${error.details.problem}`) ? error.details.problem : null;

  useEffect(() => {
    let live = true;
    setResult(null);
    setError(null);
    client.call('devices.test', { role, timeoutSeconds: TEST_SECONDS })
      .then((answer) => { if (live) setResult(answer); }, (failure: unknown) => { if (live) setError(failure); });
    return () => { live = false; };
  }, [client, role, run]);

  const stopWaiting = () => client.call('devices.cancelTest', { role }).then(onClose, setError);

  return (
    <div className="device-test" data-testid={`device-test-${role}`} data-state={waiting ? 'waiting' : result ? 'done' : 'failed'}>
      {waiting && (
        <p className="waiting" data-testid="device-test-waiting">
          {t(`devices.test.waitFor.${role}`)} {t('devices.test.secondsLeft', { count: left })}
        </p>
      )}
      {result && <TestResult result={result} />}
      {notReady ? <p className="error" role="alert" data-testid="error" data-code="DEVICE_NOT_READY">{t(`devices.problems.${notReady}`)}</p>
        : <ErrorText error={error} />}
      <div className="actions start">
        {!waiting && (
          <button type="button" data-testid="device-test-again" onClick={() => setRun({ started: Date.now() })}>{t('devices.test.again')}</button>
        )}
        <button type="button" data-testid="device-test-close" onClick={waiting ? stopWaiting : onClose}>{t(waiting ? 'devices.test.stop' : 'devices.test.close')}</button>
      </div>
      {simulated && waiting && role === 'document-reader' && <DocumentSimulatorPanel kind={readerKind} chipSimulated={false} />}
      {simulated && waiting && role === 'fingerprint' && <FingerSimulatorPanel person="technician-test" finger={2} />}
      {simulated && waiting && role === 'chip-reader' && <DocumentSimulatorPanel kind="mrz" chipSimulated />}
    </div>
  );
}

function TestResult({ result }: { result: Result }) {
  const { t } = useTranslation();
  switch (result.role) {
    case 'document-reader': {
      const type = t(`document.types.${result.documentType}`, { defaultValue: result.documentType });
      return (
        <div data-testid="device-test-result" data-role={result.role} data-valid={result.valid}>
          <p className={`verdict verdict-${result.valid ? 'valid' : 'invalid'}`}>
            {t(result.valid ? 'devices.test.documentValid' : 'devices.test.documentInvalid', { type })}
          </p>
          <DocumentFieldTable fields={result.fields} />
        </div>
      );
    }
    case 'fingerprint':
      return (
        <div className="captured-finger" data-testid="device-test-result" data-role={result.role} data-quality={result.quality.score}>
          <img className="finger-image" src={result.image} width={result.width} height={result.height} data-testid="device-test-finger-image"
            alt={t('devices.test.fingerImage')} />
          <div className="finger-quality">
            <p className="quality-score" data-testid="quality-score">{t('fingerprint.quality.score', { score: result.quality.score })}</p>
            <FingerQualityComponents quality={result.quality} />
          </div>
        </div>
      );
    case 'chip-reader':
      return (
        <dl className="facts" data-testid="device-test-result" data-role={result.role} data-card={result.cardPresent}>
          <dt>{t('devices.test.reader')}</dt><dd>{result.reader}</dd>
          <dt>{t('devices.test.card')}</dt><dd>{t(result.cardPresent ? 'devices.test.cardPresent' : 'devices.test.noCard')}</dd>
          {result.atr && <><dt>{t('devices.test.atr')}</dt><dd className="key-id">{result.atr}</dd></>}
        </dl>
      );
  }
}
