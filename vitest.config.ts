import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: torch-heavy files must not all run at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
