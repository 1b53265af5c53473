// Issue 11's helper fuzz: programs that call every helper in helpers/table.ts with hostile
// arguments -- wild pointers, read-only and write-protected addresses, huge and negative sizes,
// every map handle, tampered ring-buffer headers, rbtree helpers under the tree's lock with foreign
// nodes -- and afterwards: no protected or read-only byte changed, no map and no other memory
// changed unless the call named it, the rbtree is still a sound red-black tree, and every failure
// was a VmFault or an errno (a raw JS error or a hang fails the test). Bounded under `npm test`;
// `npm run fuzz` runs it longer (EBPFVM_FUZZ_CALLS). Deterministic per seed; a failure names the
// seed, the helper and the registers.
import { describe, expect, it } from 'vitest';
import { helperByName } from '../../helpers/table.js';
import type { HelperEntry } from '../../helpers/types.js';
import type { RbtreeMap } from '../../maps/rbtree.js';
import { FaultSignal, VmFault } from '../../src/errors.js';
import { testRun } from '../../src/test-run-api.js';
import { ProgType } from '../../vm/prog-types.js';
import type { Insn } from '../../vm/isa.js';
import { JEQ, W, call, exit, jmpk, lddw, mov64, movr, prog, st } from '../vm/enc.js';
import { HELPERS, callHelper, check, helperProgram, hostileWorld, runInput, plausibleArgs, snapshot, type HostileWorld, type Reg } from './hostile.js';
import { prng } from '../prng.js';

const CALLS = Number(process.env.EBPFVM_FUZZ_CALLS ?? 150);
/** A call costs well under 10 ms on an idle machine; the budget allows a loaded one. */
const TIMEOUT = Math.max(60_000, CALLS * 250);
const SEEDS = (process.env.EBPFVM_FUZZ_SEEDS ?? "1,2").split(",").map(Number);

/** The hostile values an argument may take. */
function pool(w: HostileWorld): Reg[] {
  const size = BigInt(w.rt.arena.size);
  const addrs = [...w.targets.map((t) => BigInt(t.addr)), ...w.targets.map((t) => BigInt(t.addr + 4)), BigInt(w.writable), BigInt(w.writable + 60), BigInt(w.constStr)];
  return [
    // wild pointers
    0n, 1n, 8n, 0xfffn, 0x1000n, size - 4n, size + 8n, 0xfffffff8n, 1n << 32n, 1n << 63n, -1n, -8n,
    ...addrs,
    // sizes: zero, small, page, huge, negative, the 2^31/2^32 edges, BPF_MAX_LOOPS, 900 MiB
    0n, 7n, 64n, 512n, 4096n, 0x7fffffffn, 0x80000000n, 0xffffffffn, (1n << 32n) + 8n, 1n << 23n, (1n << 23n) + 1n, 900n << 20n,
    // handles, the context, a callback, stack addresses (inside, at and beyond the frame)
    ...Object.values(w.maps).map((m) => m.handle),
    { ctx: true }, { func: true }, { stack: -64 }, { stack: -8 }, { stack: 0 }, { stack: -600 },
  ];
}

function argsFor(w: HostileWorld, h: HelperEntry, r: ReturnType<typeof prng>, values: Reg[]): Reg[] {
  const plausible = plausibleArgs(w, h);
  const regs: Reg[] = [];
  for (let i = 0; i < 5; i++) {
    const roll = r.next();
    if (i < plausible.length && roll < 0.45) regs.push(plausible[i]!);
    else if (roll < 0.9) regs.push(r.pick(values));
    else regs.push(r.u64());
  }
  return regs;
}

const fmt = (regs: readonly Reg[]) => regs.map((x) => (typeof x === 'bigint' ? `0x${BigInt.asUintN(64, x).toString(16)}` : JSON.stringify(x))).join(', ');

/** Run `insns` as a test run of `progType`; a VmFault is a fine outcome, nothing else is. */
function runProgram(w: HostileWorld, insns: Insn[], progType: number, what: string): void {
  try {
    testRun(w.rt, prog(insns, { name: 'fuzz', progType }), runInput(progType, 20_000));
  } catch (e) {
    if (e instanceof VmFault) return;
    throw new Error(`${what}: ${e instanceof FaultSignal ? 'a FaultSignal escaped the VM' : 'a raw error'}: ${String(e)}`);
  }
}

describe(`helper fuzz: every helper, hostile arguments (${CALLS} calls per seed; npm run fuzz runs more)`, () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: single calls`, { timeout: TIMEOUT }, () => {
      const w = hostileWorld();
      const r = prng(seed);
      const values = pool(w);
      const seen = new Set<string>();
      for (let n = 0; n < CALLS; n++) {
        // Every helper at least once per CALLS/|table| rounds, in random order otherwise.
        const h = n < HELPERS.length ? HELPERS[n]! : r.pick(HELPERS);
        seen.add(h.name);
        const regs = argsFor(w, h, r, values);
        const before = snapshot(w);
        const what = `seed ${seed} call ${n}: ${h.name}(${fmt(regs)})`;
        let outcome;
        try {
          outcome = callHelper(w, h, regs);
        } catch (e) {
          throw new Error(`${what}: ${String(e)}`);
        }
        expect(check(w, before, regs), what).toEqual([]);
        expect(['ok', 'fault'], what).toContain(outcome.kind);
      }
      if (CALLS >= HELPERS.length) expect(seen.size).toBe(HELPERS.length);
    });

    it(`seed ${seed}: tampered ring-buffer headers and stores around a reservation`, { timeout: TIMEOUT }, () => {
      const w = hostileWorld();
      const r = prng(seed + 100);
      const submit = helperByName('ringbuf_submit')!;
      const discard = helperByName('ringbuf_discard')!;
      for (let n = 0; n < CALLS / 8; n++) {
        const size = r.pick([8, 16, 24, 4088, 4096, 0, 3]);
        const off = r.pick([-8, -4, -16, -1, size, size + 8, 0, size - 4]);
        const val = r.pick([0x00100000, 0x3fffffff, 0x7fffffff, -1, 8, 0x80000000 | 8]);
        const before = snapshot(w);
        const insns: Insn[] = [
          ...lddw(1, w.maps.ringbuf.handle), mov64(2, size), mov64(3, 0), call(131),
          jmpk(JEQ, 0, 0, 6), movr(7, 0), st(W, 7, off, val), movr(1, 7), mov64(2, r.pick([0, 1, 2])), call(r.next() < 0.5 ? submit.id : discard.id), exit(),
          exit(),
        ];
        runProgram(w, insns, ProgType.SCHED_CLS, `seed ${seed} ring ${n}: size ${size}, *(u32 *)(p ${off >= 0 ? '+' : '-'} ${Math.abs(off)}) = 0x${(val >>> 0).toString(16)}`);
        expect(check(w, before, [w.maps.ringbuf.handle]), `ring ${n}`).toEqual([]);
      }
    });

    it(`seed ${seed}: rbtree helpers under the tree's lock with foreign nodes and pointers`, { timeout: TIMEOUT }, () => {
      const w = hostileWorld();
      const r = prng(seed + 200);
      const values = pool(w);
      const tree = w.maps.tree.map as RbtreeMap;
      const rbtree = HELPERS.filter((h) => h.name.startsWith('rbtree_') && !/lock/.test(h.name));
      for (let n = 0; n < CALLS / 4; n++) {
        const h = r.pick(rbtree);
        const regs = argsFor(w, h, r, values);
        const nodesBefore = tree.inOrder().length;
        const before = snapshot(w);
        // lock (r7 keeps the lock's address), the helper, unlock
        const lock = BigInt(tree.lockAddr);
        const insns = helperProgram(h, regs, { before: [...lddw(7, lock), movr(1, 7), call(218)], after: [movr(1, 7), call(219)] });
        const what = `seed ${seed} locked ${n}: ${h.name}(${fmt(regs)})`;
        runProgram(w, insns, ProgType.SCHED_CLS, what);
        // Under the lock add/remove may change the tree (one node at most per call); it must stay a
        // sound tree of its own nodes, and nothing else may change.
        expect(Math.abs(tree.inOrder().length - nodesBefore), what).toBeLessThanOrEqual(1);
        expect(check(w, before, [...regs, w.maps.tree.handle], { treeMayChange: true }), what).toEqual([]);
      }
    });
  }
});
