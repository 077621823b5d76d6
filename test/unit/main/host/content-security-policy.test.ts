// The browser host's Content-Security-Policy: own scripts and style sheets only (nothing
// inline), the RPC socket of this host only, nothing framed, no plugins.

import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../../main/host/content-security-policy.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('contentSecurityPolicy', () => {
  const policy = directives(contentSecurityPolicy('http://127.0.0.1:41234'));

  it('allows scripts from this origin only, with no inline or eval', () => {
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('allows style sheets from this origin only: no inline <style> or style attributes', () => {
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(contentSecurityPolicy('http://127.0.0.1:41234')).not.toContain('unsafe');
  });

  it('allows connections to this host’s own socket and nowhere else', () => {
    expect(policy.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:41234']);
  });

  it('forbids framing, plugins, base rewriting and form posts', () => {
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });
});
