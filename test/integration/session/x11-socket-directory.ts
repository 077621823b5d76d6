// /tmp/.X11-unix as systemd-tmpfiles makes it on a booted Debian (x11.conf: 1777, root). XWayland
// refuses a socket directory another user owns, so on a test machine without systemd, where the
// directory is made by whichever display server ran first (as its user, perhaps one a test has since
// deleted), the next test's cage would start without XWayland and the kiosk window never open.
// Root only, as the tests that start cage are.
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';

const X11_SOCKETS = '/tmp/.X11-unix';
const MODE = 0o1777;

/** Makes /tmp/.X11-unix root's with mode 1777, as systemd-tmpfiles would. */
export function ensureX11SocketDirectory(): void {
  mkdirSync(X11_SOCKETS, { recursive: true });
  const { uid, gid, mode } = statSync(X11_SOCKETS);
  if (uid !== 0 || gid !== 0) chownSync(X11_SOCKETS, 0, 0);
  if ((mode & 0o7777) !== MODE) chmodSync(X11_SOCKETS, MODE);
}
