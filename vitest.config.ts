import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'simulators/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The quarterly report rendered in headless Chromium (Debian package `chromium`).
          name: 'browser',
          include: ['test/report/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/globalSetup.ts'],
          // One real stack: integration files run one after another, in one process.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 240_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
