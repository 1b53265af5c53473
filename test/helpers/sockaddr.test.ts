// bpf_sock_addr_set_sun_path and struct bpf_sock_addr_kern (test/progs/helpers/h_sockaddr.c): the
// cgroup sock_addr kernel context bpf_cast_to_kern_ctx types, the kfunc's memory/size pair, its
// registration (cgroup sock_addr programs only), and its run-time checks on an arena-laid context.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { verifyProgram } from '../../src/verify.js';
import { sockAddrSetSunPath } from '../../helpers/sock.js';
import type { HelperCall } from '../../helpers/types.js';
import { FaultSignal } from '../../src/errors.js';
import { objBytes } from '../loader/helpers.js';

const OBJ = objBytes('helpers/h_sockaddr');
const verdict = (prog: string) => {
  const obj = load(new Runtime(), openObject(OBJ, { name: 'h_sockaddr' }), { programs: [prog] });
  return verifyProgram(obj, prog);
};

describe('bpf_sock_addr_set_sun_path', () => {
  it('verifies on the kernel context bpf_cast_to_kern_ctx gives, with a path of memory and size', () => {
    expect(verdict('set_path').accepted).toBe(true);
    expect(verdict('not_unix').accepted).toBe(true);
  });
  it('refuses a size beyond the memory, and program types the kfunc is not registered for', () => {
    expect(verdict('path_too_long')).toMatchObject({ accepted: false, error: expect.stringContaining('arg#1 arg#2 memory, len pair leads to invalid memory access') });
    expect(verdict('wrong_type')).toMatchObject({ accepted: false, error: expect.stringContaining('calling kernel function bpf_sock_addr_set_sun_path is not allowed') });
  });
  it('at run time: -EINVAL for a socket that is not AF_UNIX (ebpfvm has none), a fault for a context that names no socket', () => {
    const rt = new Runtime();
    const sock = rt.sockets.add({ proto: 'tcp' });
    const sa = rt.arena.alloc(40);
    const uaddr = rt.arena.alloc(110);
    const path = rt.arena.alloc(8);
    rt.arena.dv.setBigUint64(sa, BigInt(sock.addr), true);
    rt.arena.dv.setBigUint64(sa + 8, BigInt(uaddr), true);
    const regs = [0n, BigInt(sa), BigInt(path), 8n];
    const call = { ptr: (i: number) => Number(regs[i]), u32: (i: number) => Number(regs[i]), u64: (i: number) => regs[i], arena: rt.arena, env: { sockets: rt.sockets } } as unknown as HelperCall;
    expect(sockAddrSetSunPath(call)).toBe(-22);
    rt.arena.dv.setBigUint64(sa, 0x1234n, true);
    expect(() => sockAddrSetSunPath(call)).toThrow(FaultSignal);
  });
});
