// The Content-Security-Policy of the kiosk's pages: only our own scripts and style
// sheets (no inline <style> or style="" markup; React's style prop sets CSSOM properties,
// which CSP does not govern), only our own RPC socket, camera frames and images from
// memory, nothing framed.

export function contentSecurityPolicy(origin: string): string {
  const socket = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
