// One runner for every test: unit, integration (real SQLite files, real ptys, loopback
// servers) and end-to-end (Playwright driving Debian's Chromium against the built app).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
