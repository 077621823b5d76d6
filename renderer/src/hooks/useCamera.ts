// The kiosk camera: opens it (640×480), shows it in a video element and grabs frames as JPEG
// for the face worker. Closed when the screen using it goes. Which camera: the one the
// technician chose (system.info's `camera`) unless the caller names one. The browser's id for
// a camera changes with the page's origin (a kiosk on another port), so a chosen camera whose
// id is not there is looked for by its name; one that is gone altogether is replaced by the
// browser's default camera, said in the console log and in `fellBack` (the choice itself stays
// as the technician saved it).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { CameraChoice } from '../../../main/rpc/procedures/devices';
import { cameraProblemOf, type Problem } from '../components/device-problem';
import { useKiosk } from '../kiosk-context';

type Choice = z.infer<typeof CameraChoice>;

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

export interface Camera {
  videoRef: React.RefObject<HTMLVideoElement | null>;
  ready: boolean;
  error: string | null;
  /** What is wrong with the camera when it could not be opened, for the officer's notice. */
  problem: Problem | null;
  /** The chosen camera is not there, so the default camera runs instead. */
  fellBack: boolean;
  /** The current picture as base64 JPEG, or null before the camera runs. */
  grab(): Promise<string | null>;
}

/** What the browser says when a camera asked for by id is not there (any more). */
const isCameraGone = (failure: unknown) =>
  failure instanceof DOMException && (failure.name === 'OverconstrainedError' || failure.name === 'NotFoundError');

function constraints(deviceId: string | null): MediaStreamConstraints {
  return {
    video: { width: FRAME_WIDTH, height: FRAME_HEIGHT, ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: 'user' }) },
    audio: false,
  };
}

/** Whether a camera the browser lists is the one chosen: the same id, or (under another origin's ids) the same name. */
export function isChosenCamera(device: MediaDeviceInfo, choice: NonNullable<Choice>): boolean {
  return device.deviceId === choice.deviceId || (choice.label !== '' && device.label === choice.label);
}

/** Opens the chosen camera, by id or else by name; null when it is not there. */
async function openChosen(choice: NonNullable<Choice>): Promise<MediaStream | null> {
  try {
    return await navigator.mediaDevices.getUserMedia(constraints(choice.deviceId));
  } catch (failure) {
    if (!isCameraGone(failure)) throw failure;
  }
  // The browser names cameras only to a page that has used one: open the default camera first.
  const fallback = await navigator.mediaDevices.getUserMedia(constraints(null));
  const named = (await navigator.mediaDevices.enumerateDevices())
    .find((device) => device.kind === 'videoinput' && device.deviceId !== '' && isChosenCamera(device, choice));
  if (!named) {
    for (const track of fallback.getTracks()) track.stop();
    return null;
  }
  const defaultId = fallback.getVideoTracks()[0]?.getSettings().deviceId;
  if (defaultId === named.deviceId) return fallback;
  for (const track of fallback.getTracks()) track.stop();
  return navigator.mediaDevices.getUserMedia(constraints(named.deviceId));
}

/** `choice`: a camera, null for the default camera, undefined (the default) for the kiosk's chosen one. */
export function useCamera(choice?: Choice): Camera {
  const client = useKiosk();
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fellBack, setFellBack] = useState(false);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let live = true;
    setReady(false);
    setError(null);
    setProblem(null);
    setFellBack(false);
    const open = async () => {
      const wanted = choice === undefined ? (await client.call('system.info', {})).camera : choice;
      let media = wanted ? await openChosen(wanted) : null;
      if (!media) {
        if (wanted) {
          console.warn(`The chosen camera "${wanted.label}" is not connected; the default camera is used instead.`);
          if (live) setFellBack(true);
        }
        media = await navigator.mediaDevices.getUserMedia(constraints(null));
      }
      stream = media;
      // Closed while it was opening: the clean-up below has run already.
      if (!live) { for (const track of media.getTracks()) track.stop(); return; }
      if (!videoRef.current) return;
      videoRef.current.srcObject = media;
      await videoRef.current.play();
      if (live) setReady(true);
    };
    open().catch((failure: unknown) => {
      if (!live) return;
      setError(failure instanceof Error ? failure.message : String(failure));
      setProblem(cameraProblemOf(failure));
    });
    return () => {
      live = false;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
    // The choice by value: a new object with the same camera does not reopen it.
  }, [client, choice === undefined, choice?.deviceId, choice?.label]);

  const grab = useCallback(async () => {
    const video = videoRef.current;
    if (!video || video.readyState < 2) return null;
    canvas.current ??= document.createElement('canvas');
    const target = canvas.current;
    target.width = FRAME_WIDTH;
    target.height = FRAME_HEIGHT;
    target.getContext('2d')!.drawImage(video, 0, 0, FRAME_WIDTH, FRAME_HEIGHT);
    const blob = await new Promise<Blob | null>((resolve) => target.toBlob(resolve, 'image/jpeg', 0.85));
    if (!blob) return null;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, []);

  return { videoRef, ready, error, problem, fellBack, grab };
}
