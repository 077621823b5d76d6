// The Debian packages the shipped machine code needs: for every ELF file in a staged
// package (the Node runtime, the native addons) the shared libraries the dynamic linker
// resolves (`ldd`), mapped to the installed packages that own them (`dpkg-query -S`); a library
// the package ships itself (onnxruntime's, beside its addon) needs no package.
// What dpkg-shlibdeps does for a source package, for a tree built without one.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, realpathSync } from 'node:fs';

export class SharedLibraryError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SharedLibraryError';
  }
}

/** True when `file` starts with the ELF magic number. */
export function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/** The resolved library paths in `ldd` output; a "not found" library is an error. */
export function parseLdd(file: string, output: string): string[] {
  const libraries: string[] = [];
  for (const line of output.split('\n')) {
    const missing = /^\s*(\S+) => not found/.exec(line);
    if (missing) throw new SharedLibraryError(file, `needs ${missing[1]}, which this machine does not have`);
    const found = /=> (\/\S+) \(0x[0-9a-f]+\)/.exec(line);
    if (found) libraries.push(found[1]!);
  }
  return libraries;
}

/** The packages in `dpkg-query -S` lines ("libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6"), by path. */
export function parseDpkgSearch(output: string): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const at = line.indexOf(': /');
    if (at === -1) continue;
    owners.set(line.slice(at + 2), line.slice(0, at).split(',').map((owner) => owner.trim().replace(/:[a-z0-9-]+$/, '')));
  }
  return owners;
}

/**
 * The names a library may be registered under: with merged /usr (Debian 12) dpkg knows some
 * libraries by /lib/…, others by /usr/lib/…, and the linker may have found them by either.
 */
function registeredNames(library: string): string[] {
  const names = [library, library.startsWith('/usr/') ? library.slice(4) : `/usr${library}`, realpathSync(library)];
  return [...new Set(names)];
}

/** The sorted Debian packages providing the libraries `files` (ELF files) link against. */
export function sharedLibraryDepends(files: readonly string[]): string[] {
  const shipped = new Set(files.map((file) => realpathSync(file)));
  const libraries = [...new Set(files.flatMap((file) => parseLdd(file, execFileSync('ldd', [file], { encoding: 'utf8' }))))]
    .filter((library) => !shipped.has(realpathSync(library)));
  if (libraries.length === 0) return [];
  // dpkg-query exits 1 when any one name is unknown, which some of the alternatives always are.
  const owners = parseDpkgSearch(spawnSync('dpkg-query', ['-S', ...libraries.flatMap(registeredNames)], { encoding: 'utf8' }).stdout);
  return [...new Set(libraries.flatMap((library) => {
    const found = registeredNames(library).flatMap((name) => owners.get(name) ?? []);
    if (found.length === 0) throw new SharedLibraryError(library, 'no installed Debian package owns this library, so the package cannot depend on it');
    return found;
  }))].sort();
}
