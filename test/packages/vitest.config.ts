import { defineConfig } from 'vitest/config';

// The packages as a stranger installs them (`pnpm test:packages`): apart from `pnpm test`, since it needs the network.
export default defineConfig({
  test: {
    include: ['test/packages/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});
