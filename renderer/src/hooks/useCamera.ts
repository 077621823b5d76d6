// The kiosk camera for the face step: opens it (640×480, front-facing), shows it in a
// video element and grabs frames as JPEG for the face worker. Closed when the step goes.
import { useCallback, useEffect, useRef, useState } from 'react';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

export interface Camera {
  videoRef: React.RefObject<HTMLVideoElement | null>;
  ready: boolean;
  error: string | null;
  /** The current picture as base64 JPEG, or null before the camera runs. */
  grab(): Promise<string | null>;
}

export function useCamera(): Camera {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let live = true;
    navigator.mediaDevices.getUserMedia({ video: { width: FRAME_WIDTH, height: FRAME_HEIGHT, facingMode: 'user' }, audio: false })
      .then(async (media) => {
        stream = media;
        if (!live || !videoRef.current) return;
        videoRef.current.srcObject = media;
        await videoRef.current.play();
        setReady(true);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
    return () => {
      live = false;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);

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

  return { videoRef, ready, error, grab };
}
