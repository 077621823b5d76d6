// Reading ldd's and dpkg-query's answers, and the Debian packages the machine's own Node needs.
import { describe, expect, it } from 'vitest';
import { parseDpkgSearch, parseLdd, SharedLibraryError, sharedLibraryDepends } from '../../../../tools/package/shared-library-depends.js';

describe('shared library dependencies', () => {
  it('reads the resolved libraries from ldd and refuses a missing one', () => {
    const output = '\tlinux-vdso.so.1 (0x00007ffd)\n\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f86)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f86)\n';
    expect(parseLdd('node', output)).toEqual(['/lib/x86_64-linux-gnu/libstdc++.so.6']);
    expect(() => parseLdd('x.node', '\tlibpcsclite.so.1 => not found\n')).toThrow(SharedLibraryError);
  });

  it('reads the owners from dpkg-query -S, architecture qualifiers dropped', () => {
    const owners = parseDpkgSearch('libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6\ndiversion by x from: /y\nlibfoo1, libfoo1-compat: /usr/lib/libfoo.so.1\n');
    expect(owners.get('/lib/x86_64-linux-gnu/libc.so.6')).toEqual(['libc6']);
    expect(owners.get('/usr/lib/libfoo.so.1')).toEqual(['libfoo1', 'libfoo1-compat']);
  });

  it.runIf(process.platform === 'linux')('finds libc6 among what this Node links against', () => {
    expect(sharedLibraryDepends([process.execPath])).toContain('libc6');
  });

  it.runIf(process.platform === 'linux')('needs no package for a library shipped beside the addon that links it', () => {
    const addon = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node';
    const library = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1';
    const depends = sharedLibraryDepends([addon, library]);
    expect(depends).toContain('libc6');
    expect(() => sharedLibraryDepends([addon])).toThrow(SharedLibraryError);
  });
});
