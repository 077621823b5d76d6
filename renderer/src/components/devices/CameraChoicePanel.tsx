// The face step's camera: chosen among the cameras this screen's browser sees (or the browser's
// default one), saved with devices.configure, and tested: the live picture with the faces the
// kiosk finds in it boxed, frame after frame, until the test is closed.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { CameraChoice, DeviceSetup } from '../../../../main/rpc/procedures/devices';
import { useAction } from '../../hooks/useAction';
import { isChosenCamera, useCamera } from '../../hooks/useCamera';
import { useKiosk } from '../../kiosk-context';
import { ErrorText } from '../ErrorText';
import { FaceBoxes, type FaceBox } from '../FaceBoxes';

type Choice = z.infer<typeof CameraChoice>;
type Setup = z.infer<typeof DeviceSetup>;

/** The video inputs the browser sees, kept current as cameras come and go. */
function useVideoInputs(refresh: unknown): MediaDeviceInfo[] {
  const [inputs, setInputs] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    let live = true;
    const look = () => void navigator.mediaDevices.enumerateDevices()
      .then((devices) => { if (live) setInputs(devices.filter((device) => device.kind === 'videoinput')); }, () => undefined);
    look();
    navigator.mediaDevices.addEventListener('devicechange', look);
    return () => { live = false; navigator.mediaDevices.removeEventListener('devicechange', look); };
  }, [refresh]);
  return inputs;
}

export function CameraChoicePanel({ saved, onSetup }: { saved: Choice; onSetup(setup: Setup): void }) {
  const { t } = useTranslation();
  const client = useKiosk();
  const [chosen, setChosen] = useState<Choice>(saved);
  const [testing, setTesting] = useState(false);
  const [done, setDone] = useState(false);
  // Labels are given once the page has used a camera: look again after a test opened one.
  const inputs = useVideoInputs(testing);
  const save = useAction();
  const name = (device: MediaDeviceInfo, index: number) => device.label || t('devices.camera.unnamed', { number: index + 1 });
  const savedMissing = saved !== null && inputs.length > 0 && !inputs.some((device) => isChosenCamera(device, saved));
  const changed = (chosen?.deviceId ?? null) !== (saved?.deviceId ?? null);
  const pick = (next: Choice) => { setChosen(next); setDone(false); };

  return (
    <section className="panel camera-choice" data-testid="camera-choice">
      <h3>{t('status.devices.camera')}</h3>
      <p>{t('devices.camera.intro')}</p>
      {savedMissing && <p className="warning" data-testid="camera-missing">{t('devices.camera.missing', { camera: saved.label })}</p>}
      <ul className="port-list">
        <li>
          <button type="button" aria-pressed={chosen === null} data-testid="camera-default" onClick={() => pick(null)}>
            <span className="port-path">{t('devices.camera.default')}</span>
          </button>
        </li>
        {inputs.map((device, index) => (
          <li key={device.deviceId || index}>
            <button type="button" aria-pressed={chosen !== null && isChosenCamera(device, chosen)} data-testid="camera-option"
              disabled={!device.deviceId} onClick={() => pick({ deviceId: device.deviceId, label: device.label })}>
              <span className="port-path">{name(device, index)}</span>
              {saved && isChosenCamera(device, saved) && <span className="port-facts">{t('devices.camera.inUse')}</span>}
            </button>
          </li>
        ))}
      </ul>
      {done && !changed && <p className="verdict verdict-valid" data-testid="camera-saved">{t('devices.saved')}</p>}
      <ErrorText error={save.error} />
      <div className="actions start wrap">
        <button type="button" data-testid="camera-test" onClick={() => setTesting(!testing)}>
          {t(testing ? 'devices.test.close' : 'devices.camera.test')}
        </button>
        <button type="button" className="primary" data-testid="camera-save" disabled={!changed || save.busy}
          onClick={() => void save.run(async () => {
            const setup = await client.call('devices.configure', { role: 'camera', settings: chosen });
            onSetup(setup);
            setChosen(setup.camera);
            setDone(true);
          })}>
          {t('devices.save')}
        </button>
      </div>
      {testing && <CameraTest choice={chosen} />}
    </section>
  );
}

/** The chosen camera's live picture with the faces found in its latest frame. */
function CameraTest({ choice }: { choice: Choice }) {
  const { t } = useTranslation();
  const client = useKiosk();
  const camera = useCamera(choice);
  const [faces, setFaces] = useState<{ width: number; height: number; boxes: FaceBox[] } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!camera.ready) return undefined;
    let live = true;
    void (async () => {
      while (live) {
        const jpeg = await camera.grab();
        try {
          if (jpeg) {
            const found = await client.call('devices.testCamera', { jpeg });
            if (live) { setFaces(found); setError(null); }
          }
        } catch (failure) {
          if (live) setError(failure);
        }
        // A frame a second is plenty for a technician to see the box follow.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    return () => { live = false; };
  }, [camera.ready, camera.grab, client]);

  const count = faces?.boxes.length ?? 0;
  return (
    <div className="camera-test" data-testid="camera-test-view" data-faces={faces ? count : undefined}>
      <div className="camera">
        <video ref={camera.videoRef} muted playsInline data-testid="camera-test-preview" />
        {faces && <FaceBoxes width={faces.width} height={faces.height} boxes={faces.boxes} state={count === 1 ? 'one-face' : 'several-faces'} />}
      </div>
      {camera.fellBack && <p className="warning" data-testid="camera-fell-back">{t('devices.camera.fellBack')}</p>}
      {camera.error && <p className="error" role="alert" data-testid="camera-error">{t('face.cameraError')}</p>}
      {faces && <p data-testid="camera-faces">{t('devices.camera.faces', { count })}</p>}
      <ErrorText error={error} />
    </div>
  );
}
