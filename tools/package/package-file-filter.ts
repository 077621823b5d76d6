// Which files of an installed npm package a Debian package carries: everything Node may
// load at run time, but not what only builds, documents or debugs it — source maps,
// type declarations and TypeScript sources, C/C++ sources and the intermediate objects of
// a native build, prebuilt addons (and their libraries) for other platforms, shell and Windows build scripts, CI
// and editor configuration.
// Paths are inside the package's folder, "/"-separated ("build/Release/x.node").

/** The machine the package is for: Node's process.platform and process.arch, and its C library. */
export interface TargetPlatform {
  readonly os: string;
  readonly arch: string;
  readonly libc: 'glibc' | 'musl';
}

const BUILD_ONLY_EXTENSIONS = /\.(map|ts|mts|cts|tsx|c|cc|cpp|cxx|h|hh|hpp|gyp|gypi|o|a|mk|markdown|md|sh|bat|cmd|ps1|sln|vcproj|vcxproj|xcodeproj|strings|plist)$/i;
const DEV_DIRECTORIES = /(^|\/)(\.github|\.circleci|\.vscode|\.idea|\.husky|\.nyc_output|coverage|__tests__)\//;
/** A package's own tests, demos, examples and documentation site (at its top), test files anywhere. */
const NOT_RUNTIME = /^(test|tests|demo|demos|example|examples|benchmark|benchmarks|docs|[^/]+\.html)$|^(test|tests|demo|demos|example|examples|benchmark|benchmarks|docs)\/|[._](test|spec)\.[cm]?js$/;
const DEV_FILES = /(^|\/)(\.npmignore|\.gitignore|\.gitattributes|\.gitmodules|\.editorconfig|\.eslintrc(\.[a-z]+)?|\.eslintignore|\.prettierrc(\.[a-z]+)?|\.prettierignore|\.travis\.yml|\.taprc|\.nycrc(\.[a-z]+)?|appveyor\.yml|binding\.gyp|Makefile|tsconfig(\.[a-z]+)?\.json|\.DS_Store)$/;

/**
 * True when a prebuilt addon is for `target`: its folder names the platform
 * ("linux-x64", "HID_hidraw-linux-x64-musl") and neither folder nor file names the other C library.
 */
function prebuiltFor(folder: string, file: string, target: TargetPlatform): boolean {
  const tokens = folder.split(/[-_+]/);
  const otherLibc = target.libc === 'glibc' ? 'musl' : 'glibc';
  return tokens.some((token, at) => token === target.os && tokens[at + 1] === target.arch)
    && ![...tokens, ...file.split(/[-_+.@]/)].includes(otherLibc);
}

/**
 * True when file `path` (relative to its package's folder) ships in a package for `target`.
 * `nodeGyp`: the package builds a native addon (it has a binding.gyp), so its build/ folder is
 * node-gyp's output; in any other package build/ is ordinary code (asn1js's main is build/index.js).
 */
export function keepPackageFile(path: string, target: TargetPlatform, nodeGyp: boolean): boolean {
  // Nested packages ship as packages of their own, when the closure reaches them.
  if (path.startsWith('node_modules/')) return false;
  if (BUILD_ONLY_EXTENSIONS.test(path) || DEV_DIRECTORIES.test(path) || DEV_FILES.test(path) || NOT_RUNTIME.test(path)) return false;
  // node-gyp's output: only the linked addons are loaded (build/Release/x.node), never its test addons.
  if (nodeGyp && path.startsWith('build/')) return /^build\/Release\/(?!test_)[^/]+\.node$/.test(path);
  const prebuilt = /^prebuilds\/([^/]+)\/(.+)$/.exec(path);
  if (prebuilt) return prebuiltFor(prebuilt[1]!, prebuilt[2]!, target);
  // The other layout of prebuilt addons (onnxruntime-node): bin/napi-v6/linux/x64/….
  const napiBinary = /^bin\/napi-v\d+\/([^/]+)\/([^/]+)\//.exec(path);
  return napiBinary ? napiBinary[1] === target.os && napiBinary[2] === target.arch : true;
}
