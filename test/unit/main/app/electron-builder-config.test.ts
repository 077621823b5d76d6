// electron-builder.yml as electron-builder itself loads and validates it (app-builder-lib's
// loader and JSON schema), plus the release-hardening choices the schema cannot know.
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { describe, expect, it } from 'vitest';

const projectDir = fileURLToPath(new URL('../../../../', import.meta.url));
const config = await getConfig(projectDir, null, null);

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would be refused with an option the schema does not know', async () => {
    const misspelt = { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } };
    await expect(validateConfiguration(misspelt as typeof config, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('flips the fuses that turn the binary into a general-purpose Node', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships an allow-list of built files, never sources or tests, and unpacks native addons', () => {
    const [fileSet] = config.files as Array<{ filter: string[] }>;
    expect(fileSet!.filter).toEqual(expect.arrayContaining(['package.json', 'dist/main/**', 'dist/renderer/**', 'models/**']));
    const shipped = ['package.json', 'dist/main/', 'dist/native/', 'dist/protocol/', 'dist/renderer/', 'bin/', 'models/', 'resources/'];
    for (const pattern of fileSet!.filter.filter((p) => !p.startsWith('!'))) {
      expect(shipped.some((place) => pattern.startsWith(place)), pattern).toBe(true);
    }
    expect(config.asarUnpack).toEqual(['**/*.node']);
    expect(config.directories?.output).not.toBe('dist');
  });

  it('builds deb and AppImage, the deb depending on USB access but not on chromium', () => {
    expect(config.linux?.target).toEqual(['deb', 'AppImage']);
    expect(config.deb?.depends).toEqual(expect.arrayContaining(['libusb-1.0-0', 'udev']));
    expect(config.deb?.depends).not.toContain('chromium');
  });
});
