// bpf_check_mtu and bpf_get_attach_cookie beyond the kernel fixtures (h_mtu_tc, h_mtu_xdp,
// h_attach_cookie in test/fixtures/kernel): the cookie a simulated attachment carries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { helperById } from '../../helpers/table.js';
import { ProgType } from '../../vm/prog-types.js';
import { PROGS } from '../loader/helpers.js';
import { cli } from '../cli/capture.js';

const obj = () => load(new Runtime(), openObject(new Uint8Array(readFileSync(join(PROGS, 'helpers', 'h_mtu_cookie.o'))), { name: 'h_mtu_cookie' }));

describe('bpf_get_attach_cookie', () => {
  it('is 0 in a test run, as the kernel has no link there, and the simulated attachment\'s cookie when given', () => {
    const o = obj();
    expect(runLoaded(o, 'cookie', { args: [0] }).retval).toBe(5);
    expect(runLoaded(o, 'cookie', { args: [0], cookie: 37n }).retval).toBe(42);
  });
  it('ebpfvm run --cookie sets it (decimal or 0x-hex); a bad value is a usage error', async () => {
    const obj = join(PROGS, 'helpers', 'h_mtu_cookie.o');
    const ok = await cli('run', obj, '--prog', 'cookie', '--no-verify', '--cookie', '0x25');
    expect([ok.code, ok.out]).toEqual([0, expect.stringContaining('Return value: 42')]);
    const bad = await cli('run', obj, '--prog', 'cookie', '--no-verify', '--cookie', '-3');
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining("--cookie: '-3' is not an unsigned 64-bit integer")]);
  });
  it('only the tracing types may call it (tc, xdp, syscall refused on Linux 6.18)', () => {
    const h = helperById(174)!;
    expect(h.progTypes).toContain(ProgType.RAW_TRACEPOINT);
    for (const t of [ProgType.SCHED_CLS, ProgType.XDP, ProgType.SYSCALL, ProgType.SOCKET_FILTER]) expect(h.progTypes).not.toContain(t);
  });
});

describe('bpf_check_mtu', () => {
  it('is GPL-only and for tc and xdp', () => {
    const h = helperById(163)!;
    expect(h.gplOnly).toBe(true);
    expect(h.progTypes).toEqual([ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP]);
  });
});
