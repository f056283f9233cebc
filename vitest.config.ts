import { defineConfig } from 'vitest/config';

// Tests that start other processes: Chromium (*.browser.test.ts) or our own server and worker
// processes (*.process.test.ts). Everything else runs the app inside the test process.
const OUT_OF_PROCESS = ['test/**/*.browser.test.ts', 'test/**/*.process.test.ts'];
// In-process tests whose point is size or a real render, minutes of CPU each (a 1 GB ZIP, a
// 5-minute track's analysis, frame-exact exports, many people at once): `npm test` runs them,
// `npm run test:quick` (the in-process project) leaves them out.
const SLOW = ['test/**/*.slow.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/network-guard.ts'],
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/**/*.test.ts'],
          exclude: [...OUT_OF_PROCESS, ...SLOW],
          // Each file builds its own world (database, queue prefix, media folder, app), and what
          // the app keeps in module scope is keyed by that world: files can share one import of
          // the app per worker instead of importing it afresh (most of the suite's time).
          isolate: false,
        },
      },
      { extends: true, test: { name: 'slow', include: SLOW, isolate: false } },
      { extends: true, test: { name: 'out-of-process', include: OUT_OF_PROCESS } },
    ],
  },
});
