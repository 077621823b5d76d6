// One runner for every test: unit, integration (real SQLite files, real ptys, loopback
// servers) and end-to-end (Playwright driving Debian's Chromium against the built app).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Generous: the suite shares 2 cores with Chromium, socat and the face worker; waits are
    // for events, never for time, so a slow machine only makes a test slower, not red.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
