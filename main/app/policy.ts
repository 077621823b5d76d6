// The Electron host's security decisions as pure functions over URLs: what counts as
// the app's own page, where it may navigate, which permission it gets, which IPC
// sender is trusted and which file an app:// request may read.

import { join } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'gatehouse';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The URL must be app://gatehouse exactly as Chromium canonicalises it: no user, no port. */
function parseAppUrl(url: string): URL | null {
  const parsed = parse(url);
  const ours = parsed !== null
    && parsed.protocol === `${APP_SCHEME}:`
    && parsed.host === APP_HOST
    && parsed.username === ''
    && parsed.password === '';
  return ours ? parsed : null;
}

export function isAppUrl(url: string): boolean {
  return parseAppUrl(url) !== null;
}

/** Navigation (links, location changes, redirects) stays on the app's own origin. */
export function mayNavigate(from: string, to: string): boolean {
  return isAppUrl(from) && isAppUrl(to);
}

export interface PermissionAsk {
  permission: string;
  /** The requesting page's URL or origin. */
  requestingUrl: string;
  /** For 'media': what is asked for ('video', 'audio', 'unknown'); empty when unknown. */
  mediaTypes: readonly string[];
}

/** Granted only: the camera (video without audio) for the app's own pages. */
export function permissionDecision({ permission, requestingUrl, mediaTypes }: PermissionAsk): boolean {
  return permission === 'media'
    && isAppUrl(requestingUrl)
    && mediaTypes.length > 0
    && mediaTypes.every((type) => type === 'video');
}

/** An IPC call is served only from the main frame of a page on the app's origin. */
export function isTrustedSender({ frameUrl, isMainFrame }: { frameUrl: string; isMainFrame: boolean }): boolean {
  return isMainFrame && isAppUrl(frameUrl);
}

/**
 * The file under `rendererDir` that an app:// request names, or null when the request
 * is for another origin or could leave the directory (dot segments, encoded
 * separators, backslashes, NUL). "/" is index.html.
 */
export function resolveAppAsset(requestUrl: string, rendererDir: string): string | null {
  const url = parseAppUrl(requestUrl);
  if (!url) return null;
  const segments: string[] = [];
  for (const raw of url.pathname.split('/').filter((segment) => segment !== '')) {
    const segment = decodeSegment(raw);
    if (segment === null || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  // Every segment is now a plain name, so the joined path cannot leave rendererDir.
  return join(rendererDir, ...(segments.length > 0 ? segments : ['index.html']));
}

function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
