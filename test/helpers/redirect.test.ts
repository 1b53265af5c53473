// redirect / redirect_map / clone_redirect (x_redirect.c; the kernel's results are in
// test/fixtures/kernel/x_redirect_*.json): the actions the kernel returns.
import { describe, expect, it } from 'vitest';
import { ipv4Udp } from '../run/helpers.js';
import { xprog } from './x-common.js';

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

describe('redirect helpers (x_redirect.c)', () => {
  it('XDP: redirect_map answers XDP_REDIRECT for a target, the fallback action otherwise', () => {
    const { run, res, obj } = xprog('x_redirect.o');
    for (const m of ['dm', 'dmh']) expect(obj.map(m).update(u32(0), u32(1))).toBe(0);
    expect(obj.map('cm').update(u32(0), u32(64))).toBe(0);
    expect(run('x_redirect_xdp', { data: ipv4Udp() }).retval).toBe(2);
    expect(res(13)).toEqual([4, 2, 1, 0, 4, 3, 4, 2, 0, 4, 0, 1, 0xffffffff]);
  });
  it('tc: TC_ACT_REDIRECT, TC_ACT_SHOT for bad flags, clone_redirect errors', () => {
    const { run, res } = xprog('x_redirect.o');
    run('x_redirect_tc', { data: ipv4Udp() });
    expect(res(6)).toEqual([7, 7, 2, -22, -22, 0]);
  });
});
