// The maintainer scripts of a package, filled in from the templates in resources/debian/
// (postinst, prerm, postrm: one set for both packages): @NAME@ tokens are replaced by the
// package's values; a token without a value is an error, so a template cannot ship half-filled.

export class TemplateTokenError extends Error {
  constructor(readonly template: string, readonly tokens: readonly string[]) {
    super(`${template}: no value for ${tokens.map((token) => `@${token}@`).join(', ')}`);
    this.name = 'TemplateTokenError';
  }
}

export const MAINTAINER_SCRIPTS = ['postinst', 'prerm', 'postrm'] as const;

export interface MaintainerValues {
  readonly PACKAGE: string;
  readonly USER: string;
  readonly SYSUSERS: string;
  readonly DATA_DIR: string;
  readonly CONFIG_DIR: string;
  /** The systemd units the package installs, space-separated. */
  readonly UNITS: string;
  /** Those of them postinst (re)starts: all but units that refuse a manual stop. */
  readonly RESTART_UNITS: string;
  /** Its tmpfiles.d files, space-separated (may be empty). */
  readonly TMPFILES: string;
  /** Conffiles made root:USER 0640, space-separated (may be empty). */
  readonly PRIVATE_CONFFILES: string;
  readonly RELOADS_UDEV: 'yes' | 'no';
}

/** `template` (named `name` in errors) with every @TOKEN@ replaced by its value. */
export function fillTemplate(name: string, template: string, values: MaintainerValues): string {
  const table: Readonly<Record<string, string>> = values as unknown as Record<string, string>;
  const missing = new Set<string>();
  const filled = template.replace(/@([A-Z_]+)@/g, (token, key: string) => {
    const value = table[key];
    if (value === undefined) missing.add(key);
    return value ?? token;
  });
  if (missing.size > 0) throw new TemplateTokenError(name, [...missing]);
  return filled;
}
