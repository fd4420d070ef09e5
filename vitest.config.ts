import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/helpers/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // The chaos suite runs apart: npm run test:chaos (vitest.chaos.config.ts).
    exclude: ['test/chaos/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
