// bpf_get_func_ip (173) and the kprobe.session kfuncs (test/progs/helpers/h_func_ip.c): the address
// of the function a program is attached to, as its untyped __ksym reads it (src/btf/kallsyms.ts),
// 0 where the kernel has no function entry (a kprobe at an offset) or ebpfvm no address (uprobes);
// check_get_func_ip's refusals. Both engines, verified and not.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { openObject } from '../../src/loader/open.js';
import { kernelFuncAddr, kernelFuncAt } from '../../src/btf/kallsyms.js';
import { AttachType, ProgType } from '../../vm/prog-types.js';
import { assemble } from '../../vm/asm.js';
import { helperById } from '../../helpers/table.js';
import { verify } from '../../verifier/index.js';
import { bssVars, objBytes } from '../loader/helpers.js';

const OBJ = objBytes('helpers/h_func_ip');

const bss = (obj: LoadedObject) => bssVars(obj);

const fn = (name: string) => kernelFuncAddr(name)!;

describe('bpf_get_func_ip', () => {
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verify of [true, false]) {
      it(`gives the attach point's function address (${engine}${verify ? ', verified' : ''})`, () => {
        const rt = new Runtime({ engine });
        const obj = load(rt, openObject(OBJ, { name: 'h_func_ip' }));
        const progs = ['ip_fentry', 'ip_kprobe', 'ip_kretprobe', 'ip_offset', 'ip_uprobe', 'ip_multi', 'ip_session'];
        for (const p of progs) {
          const args = p === 'ip_fentry' ? { args: [1] } : {};
          expect(runLoaded(obj, p, args, verify ? { verify: true } : {}).retval, p).toBe(0);
        }
        expect(bss(obj)).toMatchObject({
          fentry_ip: fn('bpf_fentry_test1'), fentry_ok: 1n,
          kprobe_ip: fn('bpf_fentry_test3'), kprobe_ok: 1n,
          kretprobe_ip: fn('bpf_fentry_test4'), kretprobe_ok: 1n,
          offset_ip: 1n, uprobe_ip: 1n,
          multi_ip: fn('schedule'), multi_ok: 1n,
          session_ip: fn('bpf_fentry_test1'), session_ok: 1n,
          is_return: 0n, cookie_seen: 0n, cookie_addr_ok: 1n,
        });
        // the cookie reads 0 again in the next run (a new session)
        runLoaded(obj, 'ip_session', {});
        expect(bss(obj).cookie_seen).toBe(0n);
      });
    }
  }

  it('kallsyms: kernel-text addresses, one 64-byte extent each, the name back from any byte of it', () => {
    const a = fn('bpf_fentry_test1');
    expect(a >> 24n).toBe(0xffffffff81n);
    expect(a % 64n).toBe(0n);
    expect(kernelFuncAt(a + 5n)).toEqual({ name: 'bpf_fentry_test1', offset: 5n });
    expect(kernelFuncAddr('no_such_function')).toBeUndefined();
  });

  const check = (text: string, progType: number, expectedAttachType = 0) =>
    verify({ name: 't', insns: assemble(text), progType, expectedAttachType, gpl: true, map: () => undefined, helper: helperById });
  it.each([
    [ProgType.TRACING, AttachType.TRACE_RAW_TP, 'func bpf_get_func_ip#173 supported only for fentry/fexit/fmod_ret programs'],
    [ProgType.TRACING, AttachType.TRACE_ITER, 'func bpf_get_func_ip#173 supported only for fentry/fexit/fmod_ret programs'],
    [ProgType.RAW_TRACEPOINT, 0, 'func bpf_get_func_ip#173 not supported for program type 17'],
    [ProgType.TRACEPOINT, 0, 'func bpf_get_func_ip#173 not supported for program type 5'],
    [ProgType.LSM, AttachType.LSM_MAC, 'func bpf_get_func_ip#173 not supported for program type 29'],
    [ProgType.SCHED_CLS, 0, 'program of this type cannot use helper bpf_get_func_ip#173'],
  ])('check_get_func_ip refuses program type %i, attach %i', (progType, attach, msg) => {
    const r = check('call 173\nexit', progType, attach);
    expect(r.accepted).toBe(false);
    expect(r.error).toContain(msg);
  });
  it('the argument must be the context', () => {
    expect(check('r1 = 0\ncall 173\nexit', ProgType.KPROBE).error).toContain('R1 type=scalar expected=ctx');
    expect(check('call 173\nexit', ProgType.KPROBE).accepted).toBe(true);
    expect(check('call 173\nr0 = 0\nexit', ProgType.TRACING, AttachType.TRACE_FEXIT).accepted).toBe(true);
  });
});
