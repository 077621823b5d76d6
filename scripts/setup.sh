#!/usr/bin/env bash
# Installs what Gatehouse needs on a fresh Debian machine that reaches only Debian's
# and npm's registries: the Debian packages (Chromium for the browser host and for printing
# slips to PDF, socat for simulated serial devices, udev/libusb for real ones, PostgreSQL for
# the authority's tests, fonts for English, German and Chinese, poppler-utils to show a slip,
# the CUPS client to print it, zbar-tools to read its QR code back in tests, pcscd and its
# headers for the document chip reader, and vsmartcard-vpcd, the virtual reader the chip
# simulator sits behind in tests: a development-machine package, never on a kiosk image;
# x11-utils, whose xdpyinfo gives the bare X screen's size the kiosk window is placed over),
# the display servers the kiosk-window tests open it on (xvfb, cage with xwayland) and the
# tools they look at it with (grim, x11-apps' xwd, and wf-recorder, whose recording keeps cage
# drawing the kiosk window itself so that grim's picture is the window's), then the npm
# dependencies, which build the app. Used by the README's first command and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  ca-certificates python3 make g++ \
  chromium socat udev libusb-1.0-0 libudev1 postgresql \
  fonts-noto-core fonts-noto-cjk poppler-utils cups-client zbar-tools \
  pcscd libpcsclite-dev vsmartcard-vpcd \
  x11-utils xvfb cage xwayland grim wf-recorder x11-apps \
  dpkg-dev dpkg-repack lintian systemd

# Electron's binary is downloaded from outside the npm registry; where that is not
# reachable, skip it and `npm start` runs the browser host instead (it says so).
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
# onnxruntime-node's npm package carries its Linux CPU libraries; "skip" stops its install
# script from fetching GPU (CUDA) files from outside the npm registry.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund

# Where Electron's binary was installed, rebuild the native modules for its ABI.
if [ "$ELECTRON_SKIP_BINARY_DOWNLOAD" != "1" ]; then
  npx electron-builder install-app-deps
fi
