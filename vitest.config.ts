import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration files each start their own databases; two cores are plenty busy with four workers.
    maxWorkers: 4,
  },
});
