// Property test of the rbtree verifier rules (issue 14): random programs built from the twelve
// rbtree helpers (assembled with vm/asm.ts), verified in both modes and run when accepted.
//  - strict mode accepts a subset of what RFC mode accepts;
//  - a program accepted in strict mode never faults (and runs with the helpers' lock check off:
//    Program.rbtreeLockProven, as verifyProgram sets it);
//  - a program accepted in RFC mode faults only on lock misuse (deadlock, unlock of a lock not
//    held, exit holding it);
//  - in both modes the tree passes the run-time invariant checker after every run, and after a
//    run that ended normally no node leaked: every node the map's allocator counts alive is in
//    the tree (a faulted run abandons the nodes it held, as the kernel would abort it).
// The generator prints the share of programs each mode accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { Runtime } from '../../src/runtime.js';
import { VmFault } from '../../src/errors.js';
import { RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { MapType } from '../../maps/types.js';
import { ProgType } from '../../vm/prog-types.js';
import { verify, type VerifierMap } from '../../verifier/index.js';
import type { Program } from '../../vm/program.js';

const NODE_SIZE = 32; // struct node { struct rb_node node; u32 key; u32 val; }
const OWNED = ['r6', 'r9'] as const; // registers the generator uses for owned nodes
const TREE = ['r7', 'r8'] as const; // ... and for non-owning ones

type Reg = 'r6' | 'r7' | 'r8' | 'r9';
type Op =
  | { k: 'lock' | 'unlock' | 'loop' | 'rloop' | 'drain' | 'aliases' | 'seesaw' | 'restart' | 'nested' | 'removeBehind' | 'grow' | 'findLoop' }
  | { k: 'alloc'; dst: Reg; size: number }
  | { k: 'guard'; reg: Reg }
  | { k: 'setkey' | 'find'; reg: Reg; key: number }
  | { k: 'add' | 'addChecked' | 'addDrop' | 'free' | 'read' | 'write' | 'writeRb' | 'next' | 'prev' | 'first' | 'last'; reg: Reg; guarded: boolean }
  | { k: 'remove' | 'removeFree'; src: Reg; dst: Reg; guarded: boolean };

const anyReg = fc.constantFrom<Reg>(...OWNED, ...TREE);
const owned = fc.constantFrom<Reg>(...OWNED);
const tree = fc.constantFrom<Reg>(...TREE);
/** Mostly the register class an op is meant for, sometimes any (to feed the verifier misuse). */
const mostly = (r: fc.Arbitrary<Reg>) => fc.oneof({ weight: 6, arbitrary: r }, { weight: 1, arbitrary: anyReg });
const guarded = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<Op>({ k: 'lock' }, { k: 'unlock' }) },
  { weight: 2, arbitrary: fc.constantFrom<Op>({ k: 'loop' }, { k: 'rloop' }, { k: 'drain' }, { k: 'aliases' }) },
  // Loops that never end on a tree of two or more nodes: the verifier must refuse them (a run
  // would exhaust its instruction budget, a fault).
  { weight: 1, arbitrary: fc.constantFrom<Op>({ k: 'seesaw' }, { k: 'restart' }, { k: 'grow' }, { k: 'findLoop' }) },
  // Loops that end: nested first/next (the inner one restarting each outer lap), and a last/prev
  // loop removing and freeing every node it passes.
  { weight: 1, arbitrary: fc.constantFrom<Op>({ k: 'nested' }, { k: 'removeBehind' }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('alloc' as const), dst: owned, size: fc.constantFrom(NODE_SIZE, NODE_SIZE, NODE_SIZE, NODE_SIZE, 48, 24, 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('guard' as const), reg: anyReg }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('setkey' as const), reg: mostly(owned), key: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('find' as const), reg: mostly(tree), key: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constantFrom('add' as const, 'addChecked' as const, 'addChecked' as const, 'addChecked' as const, 'addDrop' as const, 'free' as const, 'write' as const), reg: mostly(owned), guarded }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constantFrom('read' as const, 'write' as const, 'next' as const, 'prev' as const, 'first' as const, 'last' as const), reg: mostly(tree), guarded }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('writeRb' as const), reg: anyReg, guarded }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('remove' as const, 'removeFree' as const, 'removeFree' as const), src: mostly(tree), dst: owned, guarded }) },
);
/** A program: optionally the lock taken first and released last, owned nodes freed at the end. */
const program = fc.record({
  lockAround: fc.boolean(),
  cleanup: fc.boolean(),
  body: fc.array(op, { minLength: 1, maxLength: 12 }),
});
type Prog = { lockAround: boolean; cleanup: boolean; body: Op[] };
const opsOf = (p: Prog): Op[] => [
  ...(p.lockAround ? [{ k: 'lock' } as Op] : []),
  ...p.body,
  ...(p.lockAround ? [{ k: 'unlock' } as Op] : []),
  ...(p.cleanup ? OWNED.map((reg): Op => ({ k: 'free', reg, guarded: true })) : []),
];

/** The program text: r6-r9 start at 0; each op is a self-contained snippet with its own labels. */
function programText(ops: readonly Op[], mapId: number): string {
  const map = `map_by_fd(${mapId}) ll`;
  let n = 0;
  const L = () => `L${n++}`;
  const out = ['r6 = 0', 'r7 = 0', 'r8 = 0', 'r9 = 0'];
  const guard = (reg: Reg, on: boolean, body: string[]) => {
    if (!on) return body;
    const l = L();
    return [`if ${reg} == 0 goto ${l}`, ...body, `${l}:`];
  };
  for (const o of ops) {
    switch (o.k) {
      case 'lock':
      case 'unlock':
        out.push(`r1 = ${map}`, 'call 217', 'r1 = r0', `call ${o.k === 'lock' ? 218 : 219}`);
        break;
      case 'alloc':
        out.push(`r1 = ${map}`, `r2 = ${o.size}`, 'call 212', `${o.dst} = r0`);
        break;
      case 'guard': {
        // if (!reg) return 0;
        const l = L();
        out.push(`if ${o.reg} != 0 goto ${l}`, 'r0 = 0', 'exit', `${l}:`);
        break;
      }
      case 'setkey':
        out.push(...guard(o.reg, true, [`*(u32 *)(${o.reg} + 24) = ${o.key}`]));
        break;
      case 'find':
        out.push(`*(u32 *)(r10 - 4) = ${o.key}`, `r1 = ${map}`, 'r2 = r10', 'r2 += -4', 'r3 = code_addr(cmp) ll', 'call 214', `${o.reg} = r0`);
        break;
      case 'add':
        out.push(...guard(o.reg, o.guarded, [`r1 = ${map}`, `r2 = ${o.reg}`, 'r3 = code_addr(less) ll', 'call 213', 'r8 = r0']));
        break;
      case 'addChecked': {
        const ok = L();
        // The node is the tree's or freed either way: its register is cleared.
        out.push(...guard(o.reg, o.guarded, [`r1 = ${map}`, `r2 = ${o.reg}`, 'r3 = code_addr(less) ll', 'call 213', `if r0 != 0 goto ${ok}`, `r1 = ${map}`, `r2 = ${o.reg}`, 'call 216', `${ok}:`, `${o.reg} = 0`]));
        break;
      }
      case 'addDrop': {
        // The NULL check without freeing the node it gives back: a leak the verifier must see.
        const ok = L();
        out.push(...guard(o.reg, o.guarded, [`r1 = ${map}`, `r2 = ${o.reg}`, 'r3 = code_addr(less) ll', 'call 213', `if r0 != 0 goto ${ok}`, `${ok}:`, `${o.reg} = 0`]));
        break;
      }
      case 'free':
        out.push(...guard(o.reg, o.guarded, [`r1 = ${map}`, `r2 = ${o.reg}`, 'call 216', `${o.reg} = 0`]));
        break;
      case 'read':
        out.push(...guard(o.reg, o.guarded, [`r0 = *(u32 *)(${o.reg} + 24)`]));
        break;
      case 'write':
        out.push(...guard(o.reg, o.guarded, [`*(u32 *)(${o.reg} + 28) = 7`]));
        break;
      case 'writeRb':
        out.push(...guard(o.reg, o.guarded, [`*(u64 *)(${o.reg} + 8) = 0`]));
        break;
      case 'first':
      case 'last':
        out.push(`r1 = ${map}`, `call ${o.k === 'first' ? 220 : 221}`, `${o.reg} = r0`);
        break;
      case 'next':
      case 'prev':
        out.push(...guard(o.reg, o.guarded, [`r1 = ${map}`, `r2 = ${o.reg}`, `call ${o.k === 'next' ? 222 : 223}`, `${o.reg} = r0`]));
        break;
      case 'remove':
        out.push(...guard(o.src, o.guarded, [`r1 = ${map}`, `r2 = ${o.src}`, 'call 215', `${o.dst} = r0`]));
        break;
      case 'removeFree': {
        const l = L();
        out.push(...guard(o.src, o.guarded, [`r1 = ${map}`, `r2 = ${o.src}`, 'call 215', `if r0 == 0 goto ${l}`, `r1 = ${map}`, 'r2 = r0', 'call 216', `${l}:`]));
        break;
      }
      case 'loop':
      case 'rloop': {
        const [h, e] = [L(), L()];
        const [start, step] = o.k === 'loop' ? [220, 222] : [221, 223];
        out.push(`r1 = ${map}`, `call ${start}`, 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, 'r0 = *(u32 *)(r7 + 24)', `r1 = ${map}`, 'r2 = r7', `call ${step}`, 'r7 = r0', `goto ${h}`, `${e}:`);
        break;
      }
      case 'aliases':
        // Two non-owning references that may be the same node (first and last of a 1-node tree).
        out.push(`r1 = ${map}`, 'call 220', 'r7 = r0', `r1 = ${map}`, 'call 221', 'r8 = r0');
        break;
      case 'seesaw': {
        // r7 = first; while (r7) { r0 = next(r7); if (!r0) break; r7 = prev(r0); }
        const [h, e] = [L(), L()];
        out.push(`r1 = ${map}`, 'call 220', 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r7', 'call 222', `if r0 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r0', 'call 223', 'r7 = r0', `goto ${h}`, `${e}:`, 'r7 = 0');
        break;
      }
      case 'restart': {
        // r7 = first; while (r7) { r7 = next(r7); if (!r7) r7 = first; }
        const [h, e, s] = [L(), L(), L()];
        out.push(`r1 = ${map}`, 'call 220', 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r7', 'call 222', 'r7 = r0', `if r7 != 0 goto ${s}`, `r1 = ${map}`, 'call 220', 'r7 = r0', `${s}:`, `goto ${h}`, `${e}:`);
        break;
      }
      case 'nested': {
        // for (r7 = first; r7; r7 = next(r7)) for (r8 = first; r8; r8 = next(r8)) r0 = r8->key;
        const [h, e, ih, ie] = [L(), L(), L(), L()];
        out.push(`r1 = ${map}`, 'call 220', 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, `r1 = ${map}`, 'call 220', 'r8 = r0', `${ih}:`, `if r8 == 0 goto ${ie}`, 'r0 = *(u32 *)(r8 + 24)', `r1 = ${map}`, 'r2 = r8', 'call 222', 'r8 = r0', `goto ${ih}`, `${ie}:`, `r1 = ${map}`, 'r2 = r7', 'call 222', 'r7 = r0', `goto ${h}`, `${e}:`);
        break;
      }
      case 'removeBehind': {
        // for (r7 = last; r7; r7 = r8) { r8 = prev(r7); if (r0 = remove(r7)) free(r0); }
        const [h, e, s] = [L(), L(), L()];
        out.push(`r1 = ${map}`, 'call 221', 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r7', 'call 223', 'r8 = r0', `r1 = ${map}`, 'r2 = r7', 'call 215', `if r0 == 0 goto ${s}`, `r1 = ${map}`, 'r2 = r0', 'call 216', `${s}:`, 'r7 = r8', `goto ${h}`, `${e}:`, 'r8 = 0');
        break;
      }
      case 'grow': {
        // for (r7 = first; r7; r7 = next(r7)) add a node with key 9 (after every node: endless)
        const [h, e, s] = [L(), L(), L()];
        out.push(`r1 = ${map}`, 'call 220', 'r7 = r0', `${h}:`, `if r7 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = 32', 'call 212', `if r0 == 0 goto ${s}`, 'r6 = r0', '*(u32 *)(r6 + 24) = 9', `r1 = ${map}`, 'r2 = r6', 'r3 = code_addr(less) ll', 'call 213', `if r0 != 0 goto ${s}`, `r1 = ${map}`, 'r2 = r6', 'call 216', `${s}:`, 'r6 = 0', `r1 = ${map}`, 'r2 = r7', 'call 222', 'r7 = r0', `goto ${h}`, `${e}:`);
        break;
      }
      case 'findLoop': {
        // while (find(&1)) ; (endless when key 1 is in the tree)
        const h = L();
        out.push('*(u32 *)(r10 - 4) = 1', `${h}:`, `r1 = ${map}`, 'r2 = r10', 'r2 += -4', 'r3 = code_addr(cmp) ll', 'call 214', `if r0 != 0 goto ${h}`);
        break;
      }
      case 'drain': {
        // Remove and free up to 8 nodes from the front.
        const [h, e] = [L(), L()];
        out.push('r9 = 0', `${h}:`, `if r9 > 7 goto ${e}`, 'r9 += 1', `r1 = ${map}`, 'call 220', `if r0 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r0', 'call 215', `if r0 == 0 goto ${e}`, `r1 = ${map}`, 'r2 = r0', 'call 216', `goto ${h}`, `${e}:`, 'r9 = 0');
        break;
      }
    }
  }
  out.push('r0 = 0', 'exit');
  // less(a, b): a->key < b->key; cmp(key, n): *key vs n->key, -1/0/1. Only when used: the
  // verifier refuses unreachable functions.
  const text = out.join('\n');
  if (text.includes('code_addr(less)')) out.push('less:', 'r1 = *(u32 *)(r1 + 24)', 'r2 = *(u32 *)(r2 + 24)', 'r0 = 0', 'if r1 >= r2 goto less_out', 'r0 = 1', 'less_out:', 'exit');
  if (text.includes('code_addr(cmp)')) out.push('cmp:', 'r1 = *(u32 *)(r1 + 0)', 'r2 = *(u32 *)(r2 + 24)', 'r0 = 0', 'if r1 == r2 goto cmp_out', 'r0 = -1', 'if r1 < r2 goto cmp_out', 'r0 = 1', 'cmp_out:', 'exit');
  return out.join('\n');
}

const LOCK_MISUSE = /already held by this run \(deadlock\)|is not held|exited holding/;

interface Tally {
  programs: number;
  rfc: number;
  strict: number;
  rfcFaults: number;
  runs: number;
  reasons: Map<string, number>;
}

/** Verify `ops` in both modes and run what each accepts; returns the problems found. */
function check(ops: readonly Op[], tally: Tally): string[] {
  const problems: string[] = [];
  const rt0 = new Runtime();
  const mapId = rt0.createMap(rbtreeSpec('tree', NODE_SIZE)).id;
  const insns = assemble(programText(ops, mapId));
  const vmap: VerifierMap = { id: mapId, name: 'tree', type: MapType.RBTREE, keySize: 8, valueSize: NODE_SIZE, maxEntries: 0, flags: 0, frozen: false, hasBtf: true, rbNodeOffset: 0, valueType: 'node' };
  const input = { name: 'p', insns, progType: ProgType.SYSCALL, gpl: true, map: (id: number) => (id === mapId ? vmap : undefined), helper: (id: number) => rt0.helper(id) };
  const rfc = verify(input, { insnLimit: 200_000 });
  const strict = verify(input, { strict: true, insnLimit: 200_000 });
  tally.programs++;
  // Why programs were refused, per mode (printed with EBPFVM_RBV_REASONS=1).
  for (const [mode, r] of [['rfc', rfc], ['strict', strict]] as const) {
    if (r.accepted) continue;
    const k = `${mode}: ${(r.error ?? '').replace(/id=\d+ alloc_insn=\d+/, 'id=N alloc_insn=M').replace(/\bR\d\b/g, 'Rn')}`;
    tally.reasons.set(k, (tally.reasons.get(k) ?? 0) + 1);
  }
  if (rfc.accepted) tally.rfc++;
  if (strict.accepted) tally.strict++;
  for (const r of [rfc, strict]) if (!r.accepted && /internal error/.test(r.error ?? '')) problems.push(`verifier bug: ${r.error}`);
  if (strict.accepted && !rfc.accepted) problems.push(`strict accepts what RFC mode rejects: ${rfc.error}`);
  for (const [mode, r] of [['rfc', rfc], ['strict', strict]] as const) {
    if (!r.accepted) continue;
    // A fresh runtime per mode, the same map id (the first map created), three runs on one tree.
    const rt = new Runtime();
    const lm = rt.createMap(rbtreeSpec('tree', NODE_SIZE));
    if (lm.id !== mapId) throw new Error('map ids differ between runtimes');
    const map = lm.map as RbtreeMap;
    // Three nodes to start with, so iteration, find and remove meet a real tree.
    const api = new RbtreeApi(map);
    for (const key of [1, 3, 2]) {
      const v = new Uint8Array(NODE_SIZE);
      v[24] = key;
      api.insert(v, { offset: 24, size: 4 });
    }
    const prog: Program = { name: 'p', progType: ProgType.SYSCALL, insns: insns.map((x) => ({ ...x })), gpl: true, rbtreeLockProven: r.rbtreeLockProven === true };
    for (let run = 0; run < 3; run++) {
      tally.runs++;
      let faulted = false;
      try {
        rt.execute(prog, { maxInsns: 1_000_000 });
      } catch (e) {
        if (!(e instanceof VmFault)) throw e;
        faulted = true;
        if (mode === 'strict') problems.push(`strict-accepted program faulted: ${e.message}`);
        else if (!LOCK_MISUSE.test(e.message)) problems.push(`RFC-accepted program faulted other than on lock misuse: ${e.message}`);
        else tally.rfcFaults++;
      }
      const bad = map.tree.check();
      if (bad.length) problems.push(`${mode}: tree corrupted after run ${run}: ${bad.join('; ')}`);
      if (!faulted && map.nodesAlive !== map.size) problems.push(`${mode}: ${map.nodesAlive - map.size} node(s) leaked after run ${run} (alive ${map.nodesAlive}, in the tree ${map.size})`);
    }
  }
  return problems;
}

describe('random rbtree programs: verified in both modes, then run', () => {
  it('strict-accepted never fault, RFC-accepted fault only on lock misuse, the tree stays sound and nothing leaks', () => {
    const tally: Tally = { programs: 0, rfc: 0, strict: 0, rfcFaults: 0, runs: 0, reasons: new Map() };
    const started = Date.now();
    fc.assert(
      fc.property(program, (p) => {
        const ops = opsOf(p);
        const problems = check(ops, tally);
        if (problems.length) throw new Error(`${problems.join('\n')}\nprogram:\n${programText(ops, 1)}`);
      }),
      { numRuns: 1000, seed: Number(process.env.EBPFVM_RBV_SEED ?? 14) },
    );
    if (process.env.EBPFVM_RBV_REASONS) console.log([...tally.reasons].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n'));
    const pct = (x: number) => `${((100 * x) / tally.programs).toFixed(1)} %`;
    console.log(
      `rbtree verifier property: ${tally.programs} programs, RFC mode accepted ${tally.rfc} (${pct(tally.rfc)}), strict ${tally.strict} (${pct(tally.strict)}); ` +
        `${tally.runs} runs, ${tally.rfcFaults} RFC-mode lock-misuse faults; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    // Not vacuous: both modes accept a real share, and RFC mode accepts programs strict refuses.
    expect(tally.strict).toBeGreaterThan(tally.programs * 0.05);
    expect(tally.rfc).toBeGreaterThan(tally.strict);
  }, 120_000);
});
