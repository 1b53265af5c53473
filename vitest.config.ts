import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/kernel drives the host kernel (root + bpffs); `npm run test:kernel` sets EBPFVM_KERNEL=1.
    exclude: [...(process.env.EBPFVM_KERNEL ? [] : ['test/kernel/**']), 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    pool: 'threads',
    // EBPFVM_ENGINE=interpreter runs every test with the interpreter as the default engine (compiled otherwise).
    setupFiles: ['test/engine-setup.ts'],
  },
});
