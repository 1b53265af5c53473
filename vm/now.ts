// A monotonic clock in milliseconds, for the timings the VM reports (compile and verify time, a
// test run's duration) and the runtime's ktime. In Node 20 the first use of the global
// `performance` loads perf_hooks (about 1 ms of every CLI start, issue 15); `process.hrtime`
// reads a monotonic clock without it. Elsewhere (a browser) it is `performance.now()`. No
// `node:` import: `process` is looked up on globalThis.

type HrTime = (prev?: [number, number]) => [number, number];

const hrtime = (globalThis as { process?: { hrtime?: HrTime } }).process?.hrtime;

export const nowMs: () => number =
  typeof hrtime === 'function'
    ? () => {
        const [s, ns] = hrtime();
        return s * 1e3 + ns / 1e6;
      }
    : () => performance.now();
