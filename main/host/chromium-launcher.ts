// Starts the system Chromium as the kiosk window for the browser host: app mode,
// full-screen kiosk, its own profile, no background traffic. The sandbox stays on
// unless the kiosk runs as root, where Chromium refuses to start with it. The camera is
// allowed for the kiosk's origin alone, as a content setting in the profile's
// Preferences, instead of a flag that grants every media request of every page.
// The address on the command line is a one-time page address, spent within a second.
// On a bare X server the window is placed over the whole screen (`kiosk-window-geometry.ts`);
// stderr is piped for the supervisor, which keeps its last lines for the technician.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { windowGeometryArgs, type ScreenSize } from './kiosk-window-geometry.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** GATEHOUSE_CHROMIUM, else the first Chromium found at the usual Debian paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, exists = existsSync): string | null {
  if (env.GATEHOUSE_CHROMIUM) return exists(env.GATEHOUSE_CHROMIUM) ? env.GATEHOUSE_CHROMIUM : null;
  return CANDIDATES.find((path) => exists(path)) ?? null;
}

export interface ChromiumLaunch {
  /** A one-time page address (BrowserHost.pageUrl). */
  url: string;
  /** The kiosk's origin, the only one that may use the camera. */
  origin: string;
  dataDir: string;
  asRoot: boolean;
  /** false opens a normal app window (for development) instead of full-screen kiosk. */
  kiosk: boolean;
  /** The X screen's size on a bare X server, where nobody else sizes the kiosk window; null elsewhere. */
  screen?: ScreenSize | null;
}

export function chromiumProfileDir(dataDir: string): string {
  return join(dataDir, 'chromium-profile');
}

export function chromiumArgs({ url, dataDir, asRoot, kiosk, screen }: ChromiumLaunch): string[] {
  return [
    `--app=${url}`,
    ...(kiosk ? ['--kiosk'] : []),
    ...(kiosk && screen ? windowGeometryArgs(screen) : []),
    `--user-data-dir=${chromiumProfileDir(dataDir)}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-translate',
    '--noerrdialogs',
    '--disable-features=Translate,MediaRouter',
    ...(asRoot ? ['--no-sandbox'] : []),
  ];
}

const ALLOW = 1;

/**
 * Chromium's profile Preferences with the camera allowed for `origin` and nothing else:
 * camera exceptions of earlier launches (other ports) are dropped, every other preference kept.
 */
export function preferencesAllowingCamera(preferences: unknown, origin: string): Record<string, unknown> {
  const root = asObject(preferences);
  const profile = asObject(root.profile);
  const settings = asObject(profile.content_settings);
  const exceptions = asObject(settings.exceptions);
  return {
    ...root,
    profile: {
      ...profile,
      content_settings: {
        ...settings,
        exceptions: { ...exceptions, media_stream_camera: { [`${new URL(origin).origin},*`]: { setting: ALLOW } } },
      },
    },
  };
}

/** Writes the camera permission into the profile before Chromium reads it (an unreadable file is replaced). */
export function allowCameraInProfile(profileDir: string, origin: string): void {
  const dir = join(profileDir, 'Default');
  const path = join(dir, 'Preferences');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let current: unknown = {};
  try {
    current = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // No profile yet, or one Chromium left half-written: start from nothing.
  }
  writeFileSync(`${path}.gatehouse-tmp`, JSON.stringify(preferencesAllowingCamera(current, origin)), { mode: 0o600 });
  renameSync(`${path}.gatehouse-tmp`, path);
}

export function launchChromium(executable: string, launch: ChromiumLaunch): ChildProcess {
  allowCameraInProfile(chromiumProfileDir(launch.dataDir), launch.origin);
  return spawn(executable, chromiumArgs(launch), { stdio: ['ignore', 'ignore', 'pipe'] });
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
