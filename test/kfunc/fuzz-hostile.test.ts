// The helper fuzz (test/helpers/fuzz-hostile.test.ts) for the kfunc table: every implemented
// kfunc called from an unverified program with hostile arguments -- wild pointers, read-only and
// write-protected addresses, huge and negative sizes, map handles, the context, stack addresses --
// and afterwards no protected or read-only byte changed, no map and no other memory changed unless
// the call named it, and every failure was a VmFault or an errno (a raw JS error fails the test).
import { describe, expect, it } from 'vitest';
import { KFUNCS, type KfuncEntry } from '../../helpers/kfuncs.js';
import { BtfKind } from '../../src/btf/btf.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { FaultSignal, VmFault } from '../../src/errors.js';
import { testRun } from '../../src/test-run-api.js';
import { ProgType } from '../../vm/prog-types.js';
import { I, prog } from '../vm/enc.js';
import { check, helperProgram, hostileWorld, runInput, snapshot, type HostileWorld, type Reg } from '../helpers/hostile.js';
import type { HelperEntry } from '../../helpers/types.js';
import { prng } from '../prng.js';

const CALLS = Number(process.env.EBPFVM_FUZZ_CALLS ?? 400);
const SEEDS = (process.env.EBPFVM_FUZZ_SEEDS ?? '1,2').split(',').map(Number);

function pool(w: HostileWorld): Reg[] {
  const size = BigInt(w.rt.arena.size);
  const addrs = [...w.targets.map((t) => BigInt(t.addr)), ...w.targets.map((t) => BigInt(t.addr + 8)), BigInt(w.writable), BigInt(w.writable + 60), BigInt(w.constStr), ...w.nodes.map(BigInt)];
  return [
    0n, 1n, 8n, 0xfffn, 0x1000n, size - 4n, size + 8n, 0xfffffff8n, 1n << 32n, 1n << 63n, -1n, -8n,
    ...addrs,
    0n, 7n, 16n, 64n, 4096n, 0x7fffffffn, 0x80000000n, 0xffffffffn, (1n << 32n) + 8n, 1n << 24n, 900n << 20n,
    ...Object.values(w.maps).map((m) => m.handle),
    { ctx: true }, { func: true }, { stack: -64 }, { stack: -16 }, { stack: -8 }, { stack: 0 }, { stack: -600 },
  ];
}

const btfIds = (() => {
  const btf = builtinBtf();
  const ids = new Map<string, number>();
  for (const k of KFUNCS) {
    const f = k.impl && btf.find(k.name, BtfKind.FUNC)[0];
    if (f) ids.set(k.name, f.id);
  }
  return ids;
})();
const IMPLEMENTED = KFUNCS.filter((k) => btfIds.has(k.name));

function progTypeFor(k: KfuncEntry): number {
  for (const t of [ProgType.SCHED_CLS, ProgType.XDP, ProgType.SYSCALL]) if (k.progTypes === 'all' || k.progTypes.includes(t)) return t;
  return ProgType.SCHED_CLS;
}

const fmt = (regs: readonly Reg[]) => regs.map((x) => (typeof x === 'bigint' ? `0x${BigInt.asUintN(64, x).toString(16)}` : JSON.stringify(x))).join(', ');

describe(`kfunc fuzz: every implemented kfunc, hostile arguments (${CALLS} calls per seed)`, () => {
  it('covers the kfunc table', () => {
    expect(IMPLEMENTED.length).toBeGreaterThan(40);
  });
  for (const seed of SEEDS) {
    it(`seed ${seed}`, { timeout: Math.max(60_000, CALLS * 250) }, () => {
      const w = hostileWorld();
      const r = prng(seed);
      const values = pool(w);
      for (let n = 0; n < CALLS; n++) {
        const k = n < IMPLEMENTED.length ? IMPLEMENTED[n]! : r.pick(IMPLEMENTED);
        const regs: Reg[] = [];
        for (let i = 0; i < 5; i++) regs.push(r.next() < 0.9 ? r.pick(values) : r.u64());
        const before = snapshot(w);
        const what = `seed ${seed} call ${n}: ${k.name}(${fmt(regs)})`;
        // helperProgram's call insn, made a kfunc call (src 2, imm the BTF id)
        const insns = helperProgram({ id: 0 } as HelperEntry, regs);
        const at = insns.findIndex((x) => x.code === 0x85);
        insns[at] = I(0x85, 0, 2, 0, btfIds.get(k.name)!);
        const progType = progTypeFor(k);
        try {
          testRun(w.rt, prog(insns, { name: 'fuzz', progType }), progType === ProgType.SYSCALL ? { ctx: new Uint8Array(64), maxInsns: 20_000 } : runInput(progType, 20_000));
        } catch (e) {
          if (!(e instanceof VmFault)) throw new Error(`${what}: ${e instanceof FaultSignal ? 'a FaultSignal escaped the VM' : 'a raw error'}: ${String(e)}\n${(e as Error).stack}`);
        }
        expect(check(w, before, regs), what).toEqual([]);
      }
    });
  }
});
