import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The display's helpers import the project's shared code under this alias, as SvelteKit does.
  resolve: { alias: { $shared: fileURLToPath(new URL('./shared', import.meta.url)) } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Tests wait for what a person would see with a generous bound: a busy machine is slow, not wrong.
    // How fast things happen is measured by `npm run bench`, not asserted here.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit and integration',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          // Integration files each start their own databases; two cores are plenty busy with four workers.
          maxWorkers: 4,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          // After the rest, two at a time: "within a second" on the wall should time the wall, not
          // four other test files competing for the same two cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
