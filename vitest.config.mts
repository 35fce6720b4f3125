import { defineConfig } from 'vitest/config';
import { sharedFactor } from './test/integration/sharedMachine';

// Other projects' containers on this machine make host-wide reads longer (test/integration/sharedMachine.ts).
const shared = sharedFactor();

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: Math.round(60_000 * shared),
          hookTimeout: Math.round(120_000 * shared),
          fileParallelism: false,
        },
      },
    ],
  },
});
