import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/kernel/**', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    pool: 'threads',
  },
});
