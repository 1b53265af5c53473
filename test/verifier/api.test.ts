// The library entry: obj.program(name).verify() / verifyProgram keep the result on the program;
// the level-1 log is the kernel's, line for line (recorded on Linux 6.18 with libbpf at log level
// 1, its first line the note on the main function's `void *` argument; the map's kernel address is
// the only difference, normalised below).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, PermissionError, VerifierError, load, openObject, runLoaded } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';

const ROOT = join(import.meta.dirname, '../..');
const open = (name: string) => load(new Runtime(), openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs', name)))));

const KERNEL_LOG =
  "arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n" +
  "0: R1=ctx() R10=fp0\n" +
  "; __u32 *p = bpf_ringbuf_reserve(&leak_rb, 4, 0); @ x_ringbuf_leak.c:11\n" +
  "0: (18) r1 = 0xffff888102e4fc00       ; R1=map_ptr(map=leak_rb,ks=0,vs=0)\n" +
  "2: (b7) r2 = 4                        ; R2=4\n" +
  "3: (b7) r3 = 0                        ; R3=0\n" +
  "4: (85) call bpf_ringbuf_reserve#131          ; R0=ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=4) refs=2\n" +
  "; if (p) @ x_ringbuf_leak.c:13\n" +
  "5: (15) if r0 == 0x0 goto pc+2        ; R0=ringbuf_mem(ref_obj_id=2,sz=4) refs=2\n" +
  "6: (b4) w1 = 1                        ; R1=1 refs=2\n" +
  "; *p = 1; @ x_ringbuf_leak.c:14\n" +
  "7: (63) *(u32 *)(r0 +0) = r1          ; R0=ringbuf_mem(ref_obj_id=2,sz=4) R1=1 refs=2\n" +
  "8: (b4) w1 = 1                        ; R1=1 refs=2\n" +
  "; if (p) @ x_ringbuf_leak.c:13\n" +
  "9: (55) if r0 != 0x0 goto pc+1        ; R0=ringbuf_mem(ref_obj_id=2,sz=4) refs=2\n" +
  "; return p != 0; @ x_ringbuf_leak.c:15\n" +
  "11: (bc) w0 = w1                      ; R0=1 R1=1 refs=2\n" +
  "12: (95) exit\n" +
  "Unreleased reference id=2 alloc_insn=4\n" +
  "BPF_EXIT instruction in main prog would lead to reference leak\n" +
  "processed 11 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n";

describe('verifyProgram', () => {
  it("gives the kernel's level-1 log and keeps the result on the program", () => {
    const obj = open('x_ringbuf_leak.o');
    const prog = obj.program('x_ringbuf_leak');
    const r = prog.verify({ logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.error).toBe('BPF_EXIT instruction in main prog would lead to reference leak');
    expect(r.errorPc).toBe(12);
    expect(prog.verified).toBe(r);
    const norm = (s: string) => s.replace(/^(\d+: \(18\) r\d+ = )0x[0-9a-f]+ */gm, '$1MAP ');
    expect(norm(r.log)).toBe(norm(KERNEL_LOG));
  });
  it('at level 0 a rejection still carries the level-1 log (what libbpf retries for)', () => {
    const obj = open('x_ringbuf_leak.o');
    expect(verifyProgram(obj, 'x_ringbuf_leak').log).toBe(verifyProgram(obj, 'x_ringbuf_leak', { logLevel: 1 }).log);
  });
  it('an accepted program at level 1 logs only the closing line, with per-insn facts', () => {
    const obj = open('v_calls.o');
    const r = obj.program('pkt').verify({ logLevel: 1 });
    expect(r.accepted).toBe(true);
    expect(r.log).toMatch(/^processed 17 insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0\n$/);
    expect(r.facts?.some((f) => f.safeAccess && f.ptrTypes?.includes('pkt'))).toBe(true);
  });
  it('unprivileged mode refuses an xdp program with EPERM (CAP_BPF+CAP_NET_ADMIN) before verifying it', () => {
    const obj = open('v_calls.o');
    expect(() => verifyProgram(obj, 'pkt', { unpriv: true })).toThrow(PermissionError);
    expect(() => verifyProgram(obj, 'pkt', { unpriv: true })).toThrow('program pkt: unpriv: program type xdp needs CAP_BPF+CAP_NET_ADMIN: EPERM');
    expect(verifyProgram(obj, 'pkt').accepted).toBe(true);
  });
});

describe('runLoaded({ verify })', () => {
  it('verifies first and throws the verifier\'s VerifierError (log and insn) when rejected; unverified by default', () => {
    const obj = open('x_ringbuf_leak.o');
    let err: unknown;
    try {
      runLoaded(obj, 'x_ringbuf_leak', {}, { verify: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.message).toBe('program x_ringbuf_leak rejected by the verifier at insn 12: BPF_EXIT instruction in main prog would lead to reference leak (--no-verify runs it unverified)');
    expect(v.insn).toBe(12);
    expect(v.log).toContain('Unreleased reference id=2 alloc_insn=4\n');
    // without the option the run is unverified, as testRun's: the leak runs (and returns 1)
    expect(runLoaded(obj, 'x_ringbuf_leak', {}).retval).toBe(1);
  });
  it('an accepted program runs, and its verdict stays on the program', () => {
    const obj = open('run_syscall.o');
    const ctx = new Uint8Array(20);
    new DataView(ctx.buffer).setUint32(0, 6, true);
    new DataView(ctx.buffer).setUint32(4, 7, true);
    expect(runLoaded(obj, 'sys_mul', { ctx }, { verify: { logLevel: 1 } }).retval).toBe(13);
    expect(obj.program('sys_mul').verified?.accepted).toBe(true);
  });
});
