import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/kernel drives the host kernel (root + bpffs); `npm run test:kernel` sets EBPFVM_KERNEL=1.
    exclude: [...(process.env.EBPFVM_KERNEL ? [] : ['test/kernel/**']), 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    pool: 'threads',
    // EBPFVM_ENGINE=compiled runs every test with the compiling tier as the default engine.
    setupFiles: ['test/engine-setup.ts'],
  },
});
