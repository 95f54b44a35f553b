import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The display's helpers import the project's shared code under this alias, as SvelteKit does.
  resolve: { alias: { $shared: fileURLToPath(new URL('./shared', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Integration files each start their own databases; two cores are plenty busy with four workers.
    maxWorkers: 4,
  },
});
