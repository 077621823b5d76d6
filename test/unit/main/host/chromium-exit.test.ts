// How the end of the kiosk's Chromium is worded for the technician and kept in the audit log:
// a normal close, an exit code, a named signal with its usual cause (also when a wrapper
// script reports it as 128+N), a program that could not be started; and the bounded,
// address-free tail of what Chromium wrote to stderr.

import { describe, expect, it } from 'vitest';
import {
  auditDetailsOf, chromiumExitOf, chromiumNotStarted, describeChromiumExit, isCrash,
} from '../../../../main/host/chromium-exit.js';
import { ChromiumStderrTail } from '../../../../main/host/chromium-stderr-tail.js';
import { assertAuditSafe } from '../../../../main/audit/audit-log.js';

describe('chromiumExitOf and describeChromiumExit', () => {
  it('a normal close', () => {
    const exit = chromiumExitOf(0, null);
    expect(exit).toEqual({ kind: 'closed' });
    expect(describeChromiumExit(exit)).toBe('Chromium was closed normally.');
    expect(isCrash(exit)).toBe(false);
  });

  it('an exit code', () => {
    const exit = chromiumExitOf(21, null);
    expect(describeChromiumExit(exit)).toBe('Chromium ended with exit code 21.');
    expect(isCrash(exit)).toBe(true);
  });

  it('SIGKILL, most often the kernel out of memory', () => {
    expect(describeChromiumExit(chromiumExitOf(null, 'SIGKILL'))).toBe(
      'Chromium was killed by SIGKILL: most often the system ran out of memory and the kernel killed it (see "journalctl -k" for "Out of memory"), or someone killed it.',
    );
  });

  it.each(['SIGSEGV', 'SIGTRAP', 'SIGABRT', 'SIGBUS'] as const)('%s, a crash', (signal) => {
    const exit = chromiumExitOf(null, signal);
    expect(describeChromiumExit(exit)).toBe(`Chromium was killed by ${signal}: Chromium crashed.`);
    expect(isCrash(exit)).toBe(true);
  });

  it('SIGTERM, asked to stop', () => {
    expect(describeChromiumExit(chromiumExitOf(null, 'SIGTERM'))).toBe('Chromium was killed by SIGTERM: someone or something on this machine asked it to stop.');
  });

  it('a signal a wrapper script reports as exit code 128+N', () => {
    const exit = chromiumExitOf(133, null);
    expect(exit).toEqual({ kind: 'signal', signal: 'SIGTRAP', viaWrapper: true });
    expect(describeChromiumExit(exit)).toBe('Chromium was killed by SIGTRAP (exit code 133 from its wrapper script): Chromium crashed.');
    expect(chromiumExitOf(137, null)).toMatchObject({ signal: 'SIGKILL' });
  });

  it('a program that could not be started, and why', () => {
    const missing = chromiumNotStarted(Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }));
    expect(describeChromiumExit(missing)).toBe(
      'Chromium could not be started (ENOENT): the program was not found; install the Debian package "chromium" or correct GATEHOUSE_CHROMIUM.',
    );
    expect(describeChromiumExit(chromiumNotStarted(Object.assign(new Error('spawn EACCES'), { code: 'EACCES' })))).toMatch(
      /^Chromium could not be started \(EACCES\): the program may not be run by this user/,
    );
    expect(isCrash(missing)).toBe(false);
  });
});

describe('auditDetailsOf', () => {
  it('keeps what happened and whether it was relaunched, and passes the audit log\'s checks', () => {
    const details = auditDetailsOf(chromiumExitOf(null, 'SIGKILL'), true);
    expect(details).toEqual({ outcome: 'signal', code: null, signal: 'SIGKILL', errno: null, relaunched: true });
    expect(() => assertAuditSafe(details)).not.toThrow();
    expect(auditDetailsOf(chromiumExitOf(3, null), false)).toEqual({ outcome: 'exit-code', code: 3, signal: null, errno: null, relaunched: false });
  });
});

describe('ChromiumStderrTail', () => {
  it('keeps the last twelve lines, in pieces as they arrive, without D-Bus noise', () => {
    const tail = new ChromiumStderrTail();
    const text = Array.from({ length: 30 }, (_, i) => `line ${i}\n[x:ERROR:dbus/object_proxy.cc:572] Failed to call method\n`).join('');
    for (let at = 0; at < text.length; at += 7) tail.write(text.slice(at, at + 7));
    expect(tail.lines()).toEqual(Array.from({ length: 12 }, (_, i) => `line ${18 + i}`));
  });

  it('bounds each line, also one that never ends', () => {
    const tail = new ChromiumStderrTail();
    for (let i = 0; i < 1000; i += 1) tail.write('x'.repeat(1000));
    const [line] = tail.lines();
    expect(tail.lines()).toHaveLength(1);
    expect(line).toHaveLength(401);
    expect(line!.endsWith('…')).toBe(true);
  });

  it('blanks one-time page addresses', () => {
    const tail = new ChromiumStderrTail();
    tail.write('Navigation to http://127.0.0.1:1/session?bootstrap=mb1.AAAA.mac&x=1 failed\n');
    expect(tail.lines()).toEqual(['Navigation to http://127.0.0.1:1/session?bootstrap=…&x=1 failed']);
  });
});
