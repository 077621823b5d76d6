// Which files of an npm package ship: the runtime code and the addon for this machine, not
// the build's intermediates, other platforms' prebuilt addons, maps, sources, tests or docs.
import { describe, expect, it } from 'vitest';
import { keepPackageFile, type TargetPlatform } from '../../../../tools/package/package-file-filter.js';

const linux: TargetPlatform = { os: 'linux', arch: 'x64', libc: 'glibc' };

describe('keepPackageFile', () => {
  it('keeps what Node loads', () => {
    for (const path of [
      'package.json', 'LICENSE', 'lib/index.js', 'dist/page.html', 'dist/tf.node.js', 'dist/tfjs-backend-wasm-simd.wasm', 'lib/schema.json', 'index.cjs', 'esm/x.mjs',
      'build/Release/better_sqlite3.node', 'prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node',
      'prebuilds/HID-linux-x64/node-napi-v4.node', 'prebuilds/HID_hidraw-linux-x64/node-napi-v4.node',
      'bin/napi-v6/linux/x64/onnxruntime_binding.node', 'bin/napi-v6/linux/x64/libonnxruntime.so.1', 'bin/cli.js',
    ]) expect(keepPackageFile(path, linux, true), path).toBe(true);
  });

  it('treats build/ as node-gyp\'s output only in a package with a native addon', () => {
    expect(keepPackageFile('build/index.js', linux, false)).toBe(true);
    expect(keepPackageFile('build/index.js', linux, true)).toBe(false);
  });

  it('leaves out build intermediates, other platforms, sources, maps, tests and documentation', () => {
    for (const path of [
      'build/Release/obj.target/better_sqlite3.node', 'build/Release/test_extension.node', 'build/Makefile', 'build/config.gypi',
      'prebuilds/linux-x64/@serialport+bindings-cpp.musl.node', 'prebuilds/HID-linux-x64-musl/node-napi-v4.node',
      'prebuilds/linux-arm64/x.node', 'prebuilds/darwin-x64+arm64/x.node', 'prebuilds/win32-x64/x.node',
      'bin/napi-v6/linux/arm64/libonnxruntime.so.1', 'bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib', 'bin/napi-v6/win32/x64/DirectML.dll',
      'deps/sqlite3/sqlite3.c', 'src/addon.cc', 'binding.gyp', 'index.d.ts', 'src/index.ts', 'dist/tf.js.map',
      'README.md', 'docs/api.html', 'test/a.js', 'dist/tensor_test.js', 'lib/x.spec.js', '__tests__/y.js', 'demo/index.js',
      '.github/workflows/ci.yml', '.npmignore', 'tsconfig.json', 'node_modules/nested/index.js',
      'integration/test.sh', 'index.html', 'windows/hidapi.sln', 'windows/hidapi.vcproj',
    ]) expect(keepPackageFile(path, linux, true), path).toBe(false);
  });

  it('picks the other C library\'s addon on a musl machine', () => {
    const musl: TargetPlatform = { ...linux, libc: 'musl' };
    expect(keepPackageFile('prebuilds/linux-x64/@serialport+bindings-cpp.musl.node', musl, true)).toBe(true);
    expect(keepPackageFile('prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node', musl, true)).toBe(false);
  });
});
