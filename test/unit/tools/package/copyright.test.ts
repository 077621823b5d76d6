// The copyright file's pieces: SPDX expressions in DEP-5's syntax, and the copyright lines of
// a licence text without its template placeholders.
import { describe, expect, it } from 'vitest';
import { copyrightLines, dep5License, licenseBody } from '../../../../tools/package/copyright.js';

describe('copyright', () => {
  it('writes SPDX expressions as DEP-5 short names', () => {
    expect(dep5License('(MIT OR X11)')).toBe('MIT or X11');
    expect(dep5License('Apache-2.0 AND MIT')).toBe('Apache-2.0 and MIT');
    expect(dep5License('MIT')).toBe('MIT');
  });

  it('keeps real copyright lines once and drops the templates\' placeholders', () => {
    const text = 'MIT License\n\nCopyright (c) 2014 Jane Doe\n\nCopyright (c) 2014 Jane Doe\n   Copyright [yyyy] [name of copyright owner]\nThe above copyright notice …';
    expect(copyrightLines(text)).toEqual(['Copyright (c) 2014 Jane Doe']);
  });
});

describe('licence texts', () => {
  it('refers to common-licenses for the Apache licence, keeping the package\'s own copyright line', () => {
    const text = 'Copyright 2018 Google LLC\n\n                                 Apache License\n                           Version 2.0, January 2004\n  ...';
    expect(licenseBody(text)).toEqual(['Copyright 2018 Google LLC', 'On Debian systems the full text of this licence is in /usr/share/common-licenses/Apache-2.0.']);
    expect(licenseBody('MIT License\n\nPermission is hereby granted')).toEqual(['MIT License', '', 'Permission is hereby granted']);
  });
});
