// What each Debian package is: its entry files (whose import graph ships), the files its
// code reaches by path or by package name rather than by import (listed here, checked by
// the builder against what the code actually says), its assets, the system files it
// installs, and its relations to Debian's packages. The builder (deb-builder.ts) does the rest.

/**
 * Files the package installs outside its /opt tree, from the project's resources/: one file
 * (`to` is its installed path) or every file of a folder (`to` is the installed folder), less `except`.
 */
export interface SystemFile {
  readonly from: string;
  readonly to: string;
  readonly except?: readonly string[];
  /** Files under /etc the administrator may edit: dpkg keeps their changes on upgrade. */
  readonly conffile: boolean;
}

/** What the maintainer scripts (resources/debian/{postinst,prerm,postrm}) are filled in with. */
export interface ServiceAccount {
  /** The user the service runs as and owns the data folder. */
  readonly user: string;
  /** The sysusers.d file (installed by the package) that declares the package's users. */
  readonly sysusers: string;
  /** The data folder: created 0700 for `user`; removed on purge only when asked. */
  readonly dataDir: string;
  /** The folder under /etc holding `purge-data`, the administrator's request to remove data on purge. */
  readonly configDir: string;
  /** Conffiles that may hold secrets: made root:<user> 0640 (dpkg installs them 0644). */
  readonly privateConffiles: readonly string[];
}

export interface DebPackageSpec {
  readonly name: string;
  /** Where the runtime tree goes, e.g. /opt/gatehouse. */
  readonly installDir: string;
  /**
   * Compiled entry files, relative to the project root; their import graph ships. Files the
   * package's systemd units run by path (ExecStart=/opt/…/x.js) are entries too, found in the units.
   */
  readonly entries: readonly string[];
  /** Files the code starts by path (`new URL('./x.js', import.meta.url)` for a Worker); each ships with its own graph. */
  readonly startedByPath: readonly string[];
  /** Files the code probes for but that must not ship (the development CLI a checkout has). */
  readonly probedNotShipped: readonly string[];
  /** npm packages loaded through `createRequire(…)(name)` rather than imported. */
  readonly loadedByName: readonly string[];
  /** npm packages that ship when installed and are left out when not (optionalDependencies). */
  readonly optionalPackages: readonly string[];
  /** Parts of npm packages the code never loads, by package name: path prefixes inside the package. */
  readonly unusedPackageFiles: Readonly<Record<string, readonly string[]>>;
  /** Folders or files (relative to the project root) read at run time rather than imported. */
  readonly assets: readonly string[];
  readonly systemFiles: readonly SystemFile[];
  readonly account: ServiceAccount;
  /** /usr/bin commands: a shell wrapper running the embedded Node on `script` (relative to installDir). */
  readonly commands: ReadonlyArray<{ readonly name: string; readonly script: string }>;
  /** The name package.json carries inside installDir (the kiosk finds its root by it). */
  readonly manifestName: string;
  readonly depends: readonly string[];
  readonly recommends: readonly string[];
  readonly suggests: readonly string[];
  readonly synopsis: string;
  readonly description: readonly string[];
}

/** Why the package carries its own Node, said in every package's description and in docs/DEPLOY.md. */
const NODE_RUNTIME_NOTE = [
  'It carries its own Node.js runtime (node/bin/node in its /opt folder), the',
  'release its native addons were built against: Debian 12\'s nodejs (18.x) is',
  'older than the Node 20.19 Gatehouse needs and has another addon ABI.',
];

export const KIOSK_PACKAGE: DebPackageSpec = {
  name: 'gatehouse',
  installDir: '/opt/gatehouse',
  entries: ['bin/gatehouse.js', 'dist/main/cli/main.js'],
  startedByPath: ['dist/main/face/face-worker.js'],
  probedNotShipped: ['dist/tools/cli/main.js'],
  loadedByName: ['smartcard', 'node-hid', 'better-sqlite3-multiple-ciphers', '@cornerstonejs/codec-libjpeg-turbo-8bit'],
  optionalPackages: ['node-hid'],
  unusedPackageFiles: {
    // face-api's copy of the weights: the kiosk loads the hash-checked copy in models/ (main/face/model-manifest.ts).
    '@vladmandic/face-api': ['model/'],
    // The hidapi C library's sources and node-hid's own (the addon is prebuilt in prebuilds/).
    'node-hid': ['hidapi/', 'src/'],
    // SQLite's amalgamation and its update script (the addon is built in build/Release/).
    'better-sqlite3-multiple-ciphers': ['deps/', 'src/'],
  },
  assets: ['dist/renderer', 'models', 'resources/consent.json', 'resources/locales'],
  systemFiles: [
    // The host, the screen and the updater's units (the authority's is in its own package).
    { from: 'resources/systemd', to: '/lib/systemd/system', except: ['gatehouse-authority.service'], conffile: false },
    { from: 'resources/udev/70-gatehouse.rules', to: '/lib/udev/rules.d/70-gatehouse.rules', conffile: false },
    { from: 'resources/polkit/50-gatehouse-pcscd.rules', to: '/usr/share/polkit-1/rules.d/50-gatehouse-pcscd.rules', conffile: false },
    { from: 'resources/sysusers/gatehouse.conf', to: '/usr/lib/sysusers.d/gatehouse.conf', conffile: false },
    { from: 'resources/tmpfiles/gatehouse.conf', to: '/usr/lib/tmpfiles.d/gatehouse.conf', conffile: false },
    { from: 'resources/chromium/policies/gatehouse.json', to: '/etc/chromium/policies/managed/gatehouse.json', conffile: true },
    { from: 'resources/gatehouse.conf', to: '/etc/gatehouse/gatehouse.conf', conffile: true },
  ],
  account: { user: 'gatehouse', sysusers: 'gatehouse.conf', dataDir: '/var/lib/gatehouse', configDir: '/etc/gatehouse', privateConffiles: [] },
  commands: [
    { name: 'gatehouse', script: 'bin/gatehouse.js' },
    // The privileged update installer's own entry (run as root: pin-key, status; apply is its unit's).
    { name: 'gatehouse-update', script: 'dist/main/updates/installer/gatehouse-update.js' },
  ],
  manifestName: 'gatehouse',
  depends: [
    'systemd', 'udev',
    // The screen: one full-screen Chromium under the cage compositor (through XWayland), its
    // window sized from xdpyinfo, with fonts for en, de and zh-CN.
    'chromium', 'cage', 'xwayland', 'x11-utils', 'fonts-noto-core', 'fonts-noto-cjk',
    // Document chips through PC/SC; fingerprint and document readers over USB.
    'pcscd', 'libpcsclite1', 'libusb-1.0-0',
    // Slips: drawn as PDF by Chromium, shown on screen as pdftoppm's picture.
    'poppler-utils',
    // Updates: installed with dpkg (essential, so not named), the hand-installed version rebuilt
    // first as the way back.
    'dpkg-repack',
  ],
  // lp prints the slip; pcsc_scan is what the kiosk's messages tell a technician to run.
  recommends: ['cups-client', 'pcsc-tools'],
  // A screenshot of the running kiosk for a support call (grim speaks to cage).
  suggests: ['grim'],
  synopsis: 'identity-enrollment kiosk for secure police terminals',
  description: [
    'Gatehouse enrolls people at secure police terminals: identity document, face',
    'and fingerprints, sealed on the kiosk and delivered to the central authority',
    'whenever the network is there. This package runs the kiosk as a systemd',
    'service (gatehouse.service) and its screen as Chromium in kiosk mode under',
    'the cage compositor (gatehouse-kiosk.service).',
    '',
    ...NODE_RUNTIME_NOTE,
  ],
};

export const AUTHORITY_PACKAGE: DebPackageSpec = {
  name: 'gatehouse-authority',
  installDir: '/opt/gatehouse-authority',
  entries: ['bin/gatehouse-authority.js', 'dist/authority/cli/main.js'],
  startedByPath: [],
  probedNotShipped: [],
  loadedByName: [],
  optionalPackages: [],
  unusedPackageFiles: {},
  assets: [],
  systemFiles: [
    { from: 'resources/systemd/gatehouse-authority.service', to: '/lib/systemd/system/gatehouse-authority.service', conffile: false },
    { from: 'resources/sysusers/gatehouse-authority.conf', to: '/usr/lib/sysusers.d/gatehouse-authority.conf', conffile: false },
    { from: 'resources/gatehouse-authority.conf', to: '/etc/gatehouse-authority/authority.conf', conffile: true },
  ],
  account: {
    user: 'gatehouse-authority', sysusers: 'gatehouse-authority.conf', dataDir: '/var/lib/gatehouse-authority', configDir: '/etc/gatehouse-authority',
    // It may hold the PostgreSQL password.
    privateConffiles: ['/etc/gatehouse-authority/authority.conf'],
  },
  commands: [{ name: 'gatehouse-authority', script: 'bin/gatehouse-authority.js' }],
  manifestName: 'gatehouse-authority',
  depends: ['systemd'],
  recommends: [],
  // The store is SQLite by default; PostgreSQL for many kiosks (--database postgres://…).
  suggests: ['postgresql'],
  synopsis: 'reference central authority for Gatehouse kiosks',
  description: [
    'The service Gatehouse kiosks register with and deliver sealed records to:',
    'provisioning tokens, station configuration, operators, record intake and',
    'decisions, slips. It keeps its store in SQLite, or in PostgreSQL when given',
    'a database address. This package runs it as gatehouse-authority.service.',
    '',
    ...NODE_RUNTIME_NOTE,
  ],
};

export const DEB_PACKAGES: readonly DebPackageSpec[] = [KIOSK_PACKAGE, AUTHORITY_PACKAGE];
