import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The e2e tests spawn the built binary: build dist/ once per run when it is stale.
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: torch-heavy files must not all run at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
