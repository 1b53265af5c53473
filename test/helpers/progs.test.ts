// The clang-built test/progs/h_*.o programs, loaded and test-run on ebpfvm with asserted results.
// The deterministic ones are also kernel-agreement cases (test/fixtures/kernel/h_*.json); these
// assertions add what the kernel cannot pin down: exact clock and task values, printk lines, the
// CPU a run executes on, per-CPU map layouts and LRU eviction order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { load, openObject } from '../../src/loader/index.js';
import { testRun, type TestRunInput } from '../../src/test-run-api.js';
import { VerifierError } from '../../src/errors.js';
import { verifyForRun } from '../../src/verify.js';

const PKT = Uint8Array.from(
  Buffer.from('02000000000202000000000108004500003200010000401100000a0000010a00000203e807d0001e000065627066766d206b65726e656c206f7261636c652121', 'hex'),
);

function open(obj: string, opts: RuntimeOptions = {}) {
  const runtime = new Runtime({ ncpus: 2, ...opts });
  const loaded = load(runtime, openObject(new Uint8Array(readFileSync(new URL(`../progs/${obj}.o`, import.meta.url))), { name: obj }));
  const run = (prog: string, input: TestRunInput = {}) => testRun(runtime, loaded.program(prog).program, input);
  /** A global of .bss as signed 64-bit values. */
  const bss = (count: number, off = 0) => {
    const name = [...loaded.maps.keys()].find((n) => n.endsWith('.bss'))!;
    const v = loaded.map(name).lookup(new Uint8Array(4))!;
    const dv = new DataView(v.buffer, v.byteOffset);
    return Array.from({ length: count }, (_, i) => dv.getBigInt64(off + i * 8, true));
  };
  return { runtime, loaded, run, bss };
}

const u32 = (n: number) => Uint8Array.from([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
const rd32 = (b: Uint8Array | undefined, off = 0) => new DataView(b!.buffer, b!.byteOffset).getUint32(off, true);
const rd64 = (b: Uint8Array | undefined, off = 0) => new DataView(b!.buffer, b!.byteOffset).getBigUint64(off, true);

describe('h_maps.c: map helpers on a hash map', () => {
  it('errno per flag, full map, delete, writable lookup result', () => {
    const { run, loaded, bss } = open('h_maps');
    expect(run('h_map_ops').retval).toBe(105);
    expect(bss(10)).toEqual([0n, -17n, -2n, 0n, 0n, -7n, 0n, -2n, 1n, -22n]);
    const h = loaded.map('h_hash');
    expect(rd64(h.lookup(u32(1)))).toBe(105n);
    expect(rd64(h.lookup(u32(3)))).toBe(300n);
    expect(h.lookup(u32(2))).toBeUndefined();
  });
});

describe('h_percpu.c: per-CPU maps and LRU', () => {
  it('each CPU counts in its own copy; user space sees all copies', () => {
    const { run, loaded } = open('h_percpu', { ncpus: 3 });
    expect(run('h_percpu', { cpu: 0 }).retval).toBe(1);
    expect(run('h_percpu', { cpu: 2, repeat: 2 }).retval).toBe(2);
    const arr = loaded.map('h_pcpu_arr').lookup(u32(1))!;
    expect([rd32(arr, 0), rd32(arr, 8), rd32(arr, 16)]).toEqual([1, 0, 2]);
    const hash = loaded.map('h_pcpu_hash');
    expect(rd64(hash.lookup(u32(2)), 16)).toBe(2n);
    expect(rd64(hash.lookup(u32(0)), 0)).toBe(1n);
    expect(rd64(hash.lookup(u32(0)), 16)).toBe(0n); // created on CPU 0: other copies zeroed
  });
  it('lru_percpu_hash writes the running CPU\'s copy', () => {
    const { run, loaded } = open('h_percpu', { ncpus: 2 });
    expect(run('h_lru_percpu', { cpu: 1 }).retval).toBe(2);
    const v = loaded.map('h_lru_pcpu').lookup(u32(5))!;
    expect([rd32(v, 0), rd32(v, 8)]).toEqual([0, 2]);
  });
});

describe('h_lru.c: LRU eviction (the kernel agrees on these sequences)', () => {
  it('after touching key 1, inserting key 4 evicts key 2', () => {
    const { run, loaded } = open('h_lru');
    expect(run('h_lru_evict').retval).toBe((1 << 1) | (1 << 3) | (1 << 4));
    expect(rd32(loaded.map('h_lru').lookup(u32(1)))).toBe(10);
  });
  it('touching 1..4 of a full 8-entry map, then inserting two keys, evicts 5 and 6', () => {
    const mask = open('h_lru').run('h_lru_evict8').retval;
    expect([...Array(11).keys()].filter((k) => mask & (1 << k))).toEqual([1, 2, 3, 4, 7, 8, 9, 10]);
  });
});

describe('h_snprintf.c: rendering (byte-identical to Linux 6.18, see test/fixtures/kernel/h_snprintf.json)', () => {
  it('formats, truncation and argument limits', () => {
    const { run, loaded } = open('h_snprintf');
    run('h_snprintf');
    const b = loaded.map([...loaded.maps.keys()].find((n) => n.endsWith('.bss'))!).lookup(new Uint8Array(4))!;
    const out = (i: number) => new TextDecoder('latin1').decode(b.subarray(i * 48, i * 48 + 48)).replace(/\0.*$/s, '');
    expect(out(2)).toBe('[   42][42   ][-0042][+7][ 7]');
    expect(out(7)).toBe('fe80:0000:0000:0000:0211:22ff:fe33:4455');
    expect(out(1)).toBe('-5|18446744073709551611|-9223372036854775808|ff'); // cut to 47 + NUL
    const dv = new DataView(b.buffer, b.byteOffset + 12 * 48);
    expect(dv.getBigInt64(8, true)).toBe(62n); // the full length + 1
    expect(dv.getBigInt64(11 * 8, true)).toBe(-22n); // 13 arguments
  });
});

describe('h_time.c: clocks', () => {
  it('ktime/boot/jiffies from the runtime clock; coarse truncates to the 4 ms tick', () => {
    const { run } = open('h_time', { clock: () => 5_003_000_123n });
    const r = run('h_ktime', { ctx: new Uint8Array(24) });
    expect(r.retval).toBe(7);
    const out = r.ctxOut!;
    expect([rd64(out, 0), rd64(out, 8), rd64(out, 16)]).toEqual([5_003_000_123n, 5_003_000_123n, 1250n]);
    expect(run('h_ktime_coarse', { data: PKT }).retval).toBe(3);
  });
});

describe('h_misc.c: identity, CPU, randomness', () => {
  it('returns the configured task, the run CPU and seeded random numbers', () => {
    const { run } = open('h_misc', { task: { pid: 4321, tgid: 4300, uid: 1000, gid: 50, comm: 'my-long-process-name' }, seed: 7, ncpus: 4 });
    const r = run('h_ident', { ctx: new Uint8Array(48), cpu: 3 });
    const out = r.ctxOut!;
    expect(rd64(out, 0)).toBe((4300n << 32n) | 4321n);
    expect(rd64(out, 8)).toBe((50n << 32n) | 1000n);
    expect(new TextDecoder().decode(out.subarray(16, 31))).toBe('my-long-process');
    expect(out[31]).toBe(0);
    expect(rd32(out, 32)).toBe(3);
    expect(rd32(out, 36)).toBe(0);
    const again = open('h_misc', { seed: 7 }).run('h_ident', { ctx: new Uint8Array(48) }).ctxOut!;
    expect(rd32(again, 40)).toBe(rd32(out, 40)); // same seed, same sequence
    expect(rd32(out, 40)).not.toBe(rd32(out, 44));
  });
  it('properties that hold on any kernel', () => {
    expect(open('h_misc').run('h_ident_props').retval).toBe(31);
  });
});

describe('h_printk.c: trace_printk, trace_vprintk, snprintf', () => {
  it('return values, printk lines and snprintf output', () => {
    const { run, loaded } = open('h_printk');
    const r = run('h_printk');
    expect(r.output.printk).toEqual(['h_printk -3 4000000000 word|', 'ok 192.168.000.001.', '1 2 3 4', '42    |4294967287|deadbeefcafe%']);
    const bssName = [...loaded.maps.keys()].find((n) => n.endsWith('.bss'))!;
    const b = loaded.map(bssName).lookup(new Uint8Array(4))!;
    const dv = new DataView(b.buffer, b.byteOffset);
    const res = Array.from({ length: 8 }, (_, i) => dv.getBigInt64(i * 8, true));
    // res[1] packs two -EINVAL results; -9 passed through varargs is a zero-extended int
    expect(res).toEqual([29n, (-22n << 8n) - 22n, -22n, 20n, 8n, 32n, 12n, 12n]);
    const str = (off: number, n: number) => new TextDecoder().decode(b.subarray(off, off + n)).replace(/\0.*$/s, '');
    expect(str(64, 32)).toBe('-7-word-005');
    expect(str(96, 6)).toBe('-7-wo');
  });
});

describe('h_strings.c: strtol, strtoul, strncmp', () => {
  it('consumed counts, values and errno', () => {
    const { run, bss } = open('h_strings');
    expect(run('h_strings').retval).toBe(0);
    expect(bss(12)).toEqual([7n, 4n, 3n, 3n, -34n, -22n, 2n, -22n, 0n, -1n, 0n, 4n]);
    expect(bss(6, 96)).toEqual([-1234n, 31n, 15n, 17n, -5n, 31n]);
  });
});

describe('h_locks.c: bpf_spin_lock', () => {
  it('lock/unlock around an update; the lock word reads 0 from user space; repeat accumulates', () => {
    const { run, loaded } = open('h_locks');
    expect(run('h_spin_lock', {}).retval).toBe(1);
    expect(run('h_spin_lock', {}).retval).toBe(2);
    const v = loaded.map('h_locked').lookup(u32(1))!;
    expect([rd32(v, 0), rd32(v, 4), Number(rd64(v, 8))]).toEqual([0, 2, 20]);
  });
  it('BPF_F_LOCK from a program updates in place; BPF_F_LOCK|BPF_EXIST on a missing key is -ENOENT', () => {
    const { run, loaded } = open('h_locks');
    expect(run('h_lock_update').retval).toBe(8000 + (2 << 8));
    const v = loaded.map('h_locked').lookup(u32(1))!;
    expect([rd32(v, 0), rd32(v, 4), Number(rd64(v, 8))]).toEqual([0, 8, 80]);
  });
});

describe('h_loops.c: bpf_loop and bpf_for_each_map_elem', () => {
  it('iteration counts, early stop, flags, callbacks writing values', () => {
    const { run, loaded, bss } = open('h_loops');
    expect(run('h_loops').retval).toBe(36);
    expect(bss(9)).toEqual([10n, 45n, 4n, -22n, 3n, 3n, -22n, 0xfffffff9n, 0n]);
    expect(rd64(loaded.map('h_elems').lookup(u32(11)))).toBe(33n);
    expect(rd64(loaded.map('h_arr').lookup(u32(2)))).toBe(6n);
    expect(rd64(loaded.map('h_arr').lookup(u32(3)))).toBe(0n); // stopped before index 3
  });
});

describe('h_skb.c: skb loads and csum_diff', () => {
  it('socket filter: data is L3, relative loads reach MAC and network headers', () => {
    const { run, bss } = open('h_skb');
    expect(run('h_skb_load', { data: PKT }).retval).toBe(PKT.length - 14);
    expect(bss(11)).toEqual([0n, 0x4500n, 0n, 0x0800n, 0n, 17n, -14n, 0n, -14n, -14n, 0n]);
  });
  it('tc: data is L2', () => {
    expect(open('h_skb').run('h_skb_load_tc', { data: PKT }).retval).toBe(0x0800);
  });
  it('csum_diff: the values Linux 6.18 computes', () => {
    const { run, bss } = open('h_skb');
    run('h_csum_diff', { data: PKT });
    expect(bss(6)).toEqual([0x8888n, 0xac11n, 0xdfn, 0xffffn, 0x8877n, 0x8888n]);
  });
});

describe('h_nongpl.c: gpl_only helpers need a GPL-compatible license', () => {
  it('a non-GPL program calling bpf_trace_printk is refused by the verifier, as by the kernel; other helpers work', () => {
    const runtime0 = new Runtime({ ncpus: 2 });
    const all = load(runtime0, openObject(new Uint8Array(readFileSync(new URL('../progs/h_nongpl.o', import.meta.url))), { name: 'h_nongpl' }));
    const r = all.program('h_nongpl_printk').verify();
    expect(r.accepted).toBe(false);
    expect(r.error).toBe('cannot call GPL-restricted function from non-GPL compatible program');
    expect(() => verifyForRun(all, 'h_nongpl_printk')).toThrow(VerifierError);
    // Without that program (libbpf's autoload off) the object loads and the rest runs.
    const runtime = new Runtime({ ncpus: 2 });
    const spec = openObject(new Uint8Array(readFileSync(new URL('../progs/h_nongpl.o', import.meta.url))), { name: 'h_nongpl' });
    spec.programs.get('h_nongpl_printk')!.autoload = false;
    const loaded = load(runtime, spec);
    expect(testRun(runtime, loaded.program('h_nongpl_ok').program).retval).toBe(3);
  });
});

describe('h_snprintf_edge.c: format edge cases through trace_vprintk', () => {
  it('accepts and refuses what Linux 6.18 does, and prints the same lines (captured from trace_pipe)', () => {
    const { run, bss } = open('h_snprintf_edge');
    const r = run('h_snprintf_edge');
    expect(bss(20)).toEqual([-22, -22, -22, -22, -22, 12, 7, 15, 10, 6, -22, 16, 16, 14, 3, 20, -22, -22, -22, 10].map(BigInt));
    expect(r.output.printk).toEqual([
      '[42        ]',
      '[5][ff]',
      '127.000.000.001',
      '[       q]',
      'xyzxyz',
      'ABCDEF12abcdef12',
      'ffffffffffffffff',
      '-2147483648|-1',
      '1%2',
      '00000000000000012345',
      '127.0.0.1|',
    ]);
  });
});
