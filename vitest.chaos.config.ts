import { defineConfig } from 'vitest/config';

// The chaos suite (docs/chaos.md): `npm run test:chaos`, a step of its own in .ci/run. Each file
// starts its own database, redis-server and Afterview processes; they mostly wait on timers, so
// they run side by side.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 150_000,
    hookTimeout: 150_000,
    maxWorkers: 3,
  },
});
