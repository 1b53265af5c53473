// bpf-to-bpf calls, callx, helpers (table lookup, gpl_only, faults), tail calls, LD_IMM64 pseudo
// sources, locks, and re-entrant callbacks (a helper calling a BPF function that calls a helper).
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { FaultSignal, VmFault } from '../../src/errors.js';
import { MapType } from '../../maps/types.js';
import type { HelperCall, HelperEntry } from '../../helpers/types.js';
import type { Insn } from '../../vm/isa.js';
import { ADD, B, DW, I, JEQ, SUB, W, alu64k, atomic, alu64x, call, callLocal, exit, ja, jmpk, lddw, ldx, mayGoto, mov64, movr, prog, st, stx } from './enc.js';

function helper(id: number, impl: (c: HelperCall) => number | bigint, extra: Partial<HelperEntry> = {}): HelperEntry {
  return { id, name: `test_${id}`, proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl, ...extra };
}

function faultOf(fn: () => unknown): VmFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof VmFault) return e;
    throw e;
  }
  throw new Error('expected a VmFault');
}

const CB_LOOP = 1000; // (fn, n): sum of fn(i) for i < n
const DOUBLE = 1001; // (x): 2x
const CALL_ONCE = 1002; // (fn, x): fn(x)
const TAIL = 1003; // (progId): tail call
const LOCK = 1004; // (addr)
const UNLOCK = 1005;
const BOOM = 1006; // FaultSignal
const TYPEERR = 1007; // a JS bug inside a helper
const GPL = 1008;
const ARGS = 1009; // r1 + 2*r2 + 3*r3 + 4*r4 + 5*r5

const HELPERS: HelperEntry[] = [
  helper(CB_LOOP, (c) => {
    let sum = 0n;
    for (let i = 0; i < c.u32(2); i++) sum += c.callback(1, [i]);
    return sum;
  }),
  helper(DOUBLE, (c) => c.u64(1) * 2n),
  helper(CALL_ONCE, (c) => c.callback(1, [c.u64(2)])),
  helper(TAIL, (c) => (c.tailCall!(c.u32(1)) ? 0 : -2)),
  helper(LOCK, (c) => (c.locks.take(c.ptr(1), 'test_lock'), 0)),
  helper(UNLOCK, (c) => (c.locks.release(c.ptr(1), 'test_lock'), 0)),
  helper(BOOM, () => {
    throw new FaultSignal('boom from helper');
  }),
  helper(TYPEERR, () => (undefined as unknown as { x: { y: number } }).x.y),
  helper(GPL, () => 1, { gplOnly: true }),
  helper(ARGS, (c) => c.u64(1) + 2n * c.u64(2) + 3n * c.u64(3) + 4n * c.u64(4) + 5n * c.u64(5)),
];
const rt = () => new Runtime({ helpers: HELPERS });

describe('runtime function calls (src 2)', () => {
  it('fault without a kfunc hook; with one, r0 = its result for the id and r1-r5', () => {
    const p = prog([mov64(1, 3), mov64(2, 4), I(0x85, 0, 2, 0, 42), exit()]);
    expect(faultOf(() => rt().execute(p)).reason).toMatch(/unsupported kfunc #42/);
    const out = rt().interpreter.run(p, { args: [], cpu: 0, maxInsns: 100, output: { printk: [], ringbuf: [], perf: [] }, kfunc: (id, a) => BigInt(id) * 100n + a[0]! * 10n + a[1]! });
    expect(out.r0).toBe(4234n);
  });
});

describe('bpf-to-bpf calls', () => {
  // Each call has its own frame, as under the kernel's JIT: an unverified callee's access at a
  // fixed offset from r10 outside [r10 - 512, r10) faults (the kernel's verifier refuses it),
  // under both engines alike, and writes nothing; the caller's frame stays reachable through a
  // pointer the caller passed (next test).
  for (const engine of ['interpreter', 'compiled'] as const) {
    const run = (p: ReturnType<typeof prog>) => new Runtime({ helpers: HELPERS, engine }).execute(p);
    it(`${engine}: a callee's access above its frame top faults, naming the access`, () => {
      const caller = [st(DW, 10, -512, 0x11), st(DW, 10, -8, 0x22), callLocal(4), ldx(DW, 0, 10, -512), ldx(DW, 1, 10, -8), alu64x(ADD, 0, 1), exit()]; // 0-6
      const cases: [Insn[], RegExp][] = [
        [[st(DW, 10, 0, 0x33)], /^invalid write to stack R10 off=0 size=8: outside this frame/],
        [[stx(W, 10, 1, 4)], /^invalid write to stack R10 off=4 size=4/],
        [[ldx(B, 0, 10, 511)], /^invalid read from stack R10 off=511 size=1/],
        [[st(DW, 10, -516, 1)], /^invalid write to stack R10 off=-516 size=8/],
        [[st(DW, 10, -4, 1)], /^invalid write to stack R10 off=-4 size=8/],
        [[atomic(DW, 10, 1, 8, ADD)], /^invalid read from stack R10 off=8 size=8/],
        // through a copy of r10 moved by constants in the same straight-line code
        [[movr(1, 10), alu64k(ADD, 1, 16), movr(2, 1), alu64k(SUB, 2, 8), stx(DW, 2, 1, 0)], /^invalid write to stack R2 off=8 size=8/],
        [[movr(3, 10), alu64k(ADD, 3, -600), ldx(DW, 0, 3, 80)], /^invalid read from stack R3 off=-520 size=8/],
      ];
      for (const [body, reason] of cases) {
        const p = prog([...caller, ...body, exit()]);
        const f = faultOf(() => run(p));
        expect(f.reason).toMatch(reason);
        expect(f.reason).toMatch(/this run is unverified/);
        expect(f.pc).toBe(caller.length + body.length - 1);
        // nothing was written: the same program with the access removed returns the caller's slots
        expect(run(prog([...caller, exit()])).r0).toBe(0x33n);
      }
      // the caller's own access below its frame, after the call
      const q = prog([callLocal(2), ldx(DW, 0, 10, -520), exit(), st(DW, 10, -8, 1), exit()]);
      expect(faultOf(() => run(q)).reason).toMatch(/^invalid read from stack R10 off=-520 size=8/);
    });
    it(`${engine}: such an access in dead code loads and runs; one the straight-line code cannot pin is checked at run time`, () => {
      // 0: r0 = 7; 1: always jumps over 2; 2: the access
      expect(run(prog([mov64(0, 7), jmpk(JEQ, 0, 7, 1), st(DW, 10, 8, 1), exit()])).r0).toBe(7n);
      // r1 = r10 + 8 reaches the access only through a jump target: the run-time check (the top
      // frame's r10 + 8 is past the stack) faults instead
      const p = prog([movr(1, 10), alu64k(ADD, 1, 8), mov64(2, 0), jmpk(JEQ, 2, 0, 0), st(DW, 1, 0, 1), exit()]);
      expect(faultOf(() => run(p)).reason).toMatch(/^write of 8 bytes at 0x[0-9a-f]+: not in any region/);
      // a call in between forgets r1 (r1-r5 are the callee's to clobber); r6 is kept
      const c = prog([movr(6, 10), alu64k(ADD, 6, 8), callLocal(2), st(DW, 6, 0, 1), exit(), mov64(0, 0), exit()]);
      expect(faultOf(() => run(c)).reason).toMatch(/^invalid write to stack R6 off=8 size=8/);
    });
  }

  it('a callee reads and writes the caller frame through a pointer; the caller cannot reach below its own frame', () => {
    const p = prog([
      st(DW, 10, -8, 5), // 0
      movr(1, 10), // 1
      alu64k(ADD, 1, -8), // 2: r1 = &caller slot
      callLocal(2), // 3
      ldx(DW, 0, 10, -8), // 4: 5 + 1
      exit(), // 5
      ldx(DW, 2, 1, 0), // 6 (callee)
      alu64k(ADD, 2, 1), // 7
      stx(DW, 1, 2, 0), // 8
      exit(), // 9
    ]);
    expect(rt().execute(p).r0).toBe(6n);
    // After the call the callee's frame is gone: below the caller's 512 bytes is out of bounds.
    const q = prog([callLocal(5), movr(1, 10), stx(DW, 10, 1, -8), ldx(DW, 1, 10, -8), ldx(DW, 0, 1, -520), exit(), st(DW, 10, -8, 1), exit()]);
    expect(faultOf(() => rt().execute(q)).reason).toMatch(/out of bounds of stack/);
  });

  it("no run reads an earlier run's callee or callback frames (issue 11, hole 4)", () => {
    const r = rt();
    // Run 1 leaves a secret in frames 2 and 3 (a subprogram calling a subprogram)...
    const writer = prog([callLocal(1), exit(), lddw(1, 0x5ec12e7n), stx(DW, 10, 1, -8), callLocal(1), exit(), stx(DW, 10, 1, -16), exit()].flat());
    r.execute(writer);
    // ...which an unverified program's callees then read uninitialised.
    const reader = prog([callLocal(1), exit(), ldx(DW, 0, 10, -8), callLocal(2), exit(), exit(), ldx(DW, 2, 10, -16), alu64x(ADD, 0, 2), exit()].flat());
    expect(r.execute(reader).r0).toBe(0n);
    // The same after a run that faulted with deep frames live, and through a callback frame.
    const faulting = prog([callLocal(1), exit(), lddw(1, 0x5ec12e7n), stx(DW, 10, 1, -8), ldx(DW, 0, 1, 0), exit()].flat());
    expect(() => r.execute(faulting)).toThrow(VmFault);
    expect(r.execute(reader).r0).toBe(0n);
    const viaCallback = prog([...lddw(1, 5n, 4), mov64(2, 1), call(CB_LOOP), exit(), exit(), lddw(1, 0x5ec12e7n), stx(DW, 10, 1, -8), mov64(0, 0), exit()].flat());
    r.execute(viaCallback);
    expect(r.execute(reader).r0).toBe(0n);
  });

  it('passes r1-r5, returns r0, preserves r6-r9 and gives the callee its own stack', () => {
    const p = prog([
      mov64(6, 6), mov64(7, 7), mov64(8, 8), mov64(9, 9), // 0-3
      st(DW, 10, -8, 0x1234), // 4
      mov64(1, 10), mov64(2, 20), // 5-6
      callLocal(7), // 7 -> 15
      alu64x(ADD, 0, 6), alu64x(ADD, 0, 7), alu64x(ADD, 0, 8), alu64x(ADD, 0, 9), // 8-11
      ldx(DW, 1, 10, -8), alu64x(ADD, 0, 1), exit(), // 12-14
      st(DW, 10, -16, 0), ldx(DW, 3, 10, -16), // 15-16: a slot of the callee's own frame (not the caller's -8)
      mov64(6, 100), mov64(7, 100), mov64(8, 100), mov64(9, 100), st(DW, 10, -8, 99), // 17-21: not the caller's slot
      movr(0, 1), alu64x(ADD, 0, 2), alu64x(ADD, 0, 3), exit(), // 22-25
    ]);
    const r = rt();
    const before = r.execute(p).r0;
    expect(before).toBe(30n + 6n + 7n + 8n + 9n + 0x1234n);
  });
  // f(n) = n == 0 ? 0 : 1 + f(n - 1); main + f(n)..f(0) = n + 2 frames
  const depthProg = (n: number) =>
    prog([mov64(1, n), callLocal(1), exit(), mov64(0, 0), jmpk(0x10, 1, 0, 3), alu64k(ADD, 1, -1), callLocal(-4), alu64k(ADD, 0, 1), exit()]);
  it('8 frames are allowed, a 9th faults', () => {
    expect(rt().execute(depthProg(6)).r0).toBe(6n);
    const f = faultOf(() => rt().execute(depthProg(7)));
    expect(f.reason).toMatch(/call depth exceeds 8 frames/);
    expect(f.pc).toBe(6);
  });
  it('r10 differs per frame and is restored on return', () => {
    // r0 = callee r10; r0 -= caller r10 (r6): a different frame; then r10 is the caller's again
    const p = prog([movr(6, 10), callLocal(4), I(0x1f, 0, 6), movr(7, 10), I(0x1f, 7, 6), I(0x4f, 0, 7), exit(), movr(0, 10), exit()]);
    const r = rt().execute(p).r0;
    expect(r).not.toBe(0n);
    expect(rt().execute(prog([movr(6, 10), callLocal(3), I(0x1f, 10 - 10 + 6, 10), movr(0, 6), exit(), exit()])).r0).toBe(0n);
  });
  it('callx through a function handle (LD_IMM64 src 4) is a local call', () => {
    // 0-1 lddw r2 = &fn (target 0 + 6 + 1 = 7); 2 r1 = 5; 3 callx r2; 4 r0 += 1; 5 exit; 6 exit; 7.. fn
    const p = prog([lddw(2, 6n, 4), mov64(1, 5), I(0x8d, 2), alu64k(ADD, 0, 1), exit(), exit(), movr(0, 1), alu64x(ADD, 0, 1), exit()]);
    expect(rt().execute(p).r0).toBe(11n);
  });
  it('callx of a value that is not a function handle faults (unless callxHelpers)', () => {
    const p = prog([mov64(2, DOUBLE), mov64(1, 21), I(0x8d, 2), exit()]);
    expect(faultOf(() => rt().execute(p)).reason).toMatch(/callx r2: 0x3e9 is not a function handle/);
    expect(rt().execute(p, { callxHelpers: true }).r0).toBe(42n);
  });
});

describe('helpers', () => {
  it('passes five arguments and takes r0 from the result', () => {
    expect(rt().execute(prog([mov64(1, 1), mov64(2, 2), mov64(3, 3), mov64(4, 4), mov64(5, 5), call(ARGS), exit()])).r0).toBe(55n);
  });
  it('number results are sign-extended, bigint results taken mod 2^64', () => {
    const r = new Runtime({ helpers: [helper(1, () => -1), helper(2, () => (1n << 64n) + 5n), helper(3, () => 2 ** 40)] });
    expect(r.execute(prog([call(1), exit()])).r0).toBe(0xffffffffffffffffn);
    expect(r.execute(prog([call(2), exit()])).r0).toBe(5n);
    expect(r.execute(prog([call(3), exit()])).r0).toBe(2n ** 40n);
  });
  it('an unknown helper id faults', () => {
    expect(faultOf(() => rt().execute(prog([call(77), exit()]))).reason).toMatch(/unknown helper #77/);
  });
  it('a kfunc call faults as unsupported', () => {
    expect(faultOf(() => rt().execute(prog([I(0x85, 0, 2, 0, 1234), exit()]))).reason).toMatch(/unsupported kfunc #1234/);
  });
  it('gpl_only helpers refuse non-GPL programs', () => {
    expect(rt().execute(prog([call(GPL), exit()])).r0).toBe(1n);
    expect(faultOf(() => rt().execute(prog([call(GPL), exit()], { gpl: false }))).reason).toMatch(/gpl_only/);
  });
  it('a FaultSignal from a helper becomes a VmFault at the call', () => {
    const f = faultOf(() => rt().execute(prog([mov64(0, 0), call(BOOM), exit()])));
    expect(f.reason).toBe('boom from helper');
    expect(f.pc).toBe(1);
    expect(f.opcode).toBe(0x85);
  });
  it('a JS error inside a helper is wrapped, never escapes raw', () => {
    const f = faultOf(() => rt().execute(prog([call(TYPEERR), exit()])));
    expect(f.reason).toMatch(/internal error/);
  });
});

describe('tail calls', () => {
  it('replace the running program and keep r1', () => {
    const r = rt();
    const target = prog([movr(0, 1), alu64k(ADD, 0, 1000), exit()], { name: 'target' });
    const tid = r.registerProgram(target);
    expect(r.programById(tid)).toBe(target);
    expect(r.execute(prog([mov64(1, tid), call(TAIL), mov64(0, 7), exit()])).r0).toBe(BigInt(tid) + 1000n);
    // a missing program: the helper returns and the caller continues
    expect(r.execute(prog([mov64(1, 999), call(TAIL), exit()])).r0).toBe(0xfffffffffffffffen);
  });
  it('at most 33 tail calls per run (34 executions), counted in a map value', () => {
    const r = rt();
    const m = r.createMap({ name: 'cnt', type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, flags: 0 });
    const self = prog([lddw(6, BigInt(m.id), 2), ldx(DW, 2, 6, 0), alu64k(ADD, 2, 1), stx(DW, 6, 2, 0), ldx(DW, 1, 6, 8), call(TAIL), ldx(DW, 0, 6, 0), exit()], { name: 'self' });
    const id = r.registerProgram(self);
    const v = new Uint8Array(16);
    v[8] = id;
    expect(m.map.update(new Uint8Array(4), v)).toBe(0);
    expect(r.execute(self).r0).toBe(34n);
  });
  it('a tail call from a subprogram returns to the caller frame', () => {
    const r = rt();
    const tid = r.registerProgram(prog([mov64(0, 40), exit()], { name: 't' }));
    // main: call sub; r0 += 2; exit. sub: tail call -> t returns 40 to main
    const p = prog([callLocal(2), alu64k(ADD, 0, 2), exit(), mov64(1, tid), call(TAIL), mov64(0, 1), exit()]);
    expect(r.execute(p).r0).toBe(42n);
  });
});

describe('LD_IMM64 pseudo sources', () => {
  it('src 1/5 give map handles; src 2/6 the direct value address plus offset', () => {
    const r = rt();
    const m = r.createMap({ name: 'g', type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, flags: 0 });
    expect(r.execute(prog([lddw(0, BigInt(m.id), 1), exit()])).r0).toBe(m.handle);
    expect(r.execute(prog([lddw(0, BigInt(m.id), 5), exit()])).r0).toBe(m.handle);
    r.execute(prog([{ ...lddw(1, BigInt(m.id), 2)[0]! }, { code: 0, dst: 0, src: 0, off: 0, imm: 8 }, st(W, 1, 0, 0x55), exit()]));
    expect(m.map.lookup(new Uint8Array(4))![8]).toBe(0x55);
    expect(r.execute(prog([lddw(1, BigInt(m.id), 6), ldx(B, 0, 1, 8), exit()])).r0).toBe(0x55n);
    expect(faultOf(() => r.execute(prog([lddw(1, 42n, 1), exit()]))).reason).toMatch(/no map with id 42/);
  });
});

describe('locks', () => {
  it('taking a held lock faults; a run that ends holding a lock faults and releases it', () => {
    const r = rt();
    const lockProg = (n: number, unlock: boolean) => {
      const body = [];
      for (let i = 0; i < n; i++) body.push(movr(1, 10), alu64k(ADD, 1, -8), call(LOCK));
      if (unlock) body.push(movr(1, 10), alu64k(ADD, 1, -8), call(UNLOCK));
      return prog([...body, mov64(0, 0), exit()]);
    };
    expect(r.execute(lockProg(1, true)).r0).toBe(0n);
    expect(faultOf(() => r.execute(lockProg(2, false))).reason).toMatch(/already held by this run/);
    const f = faultOf(() => r.execute(lockProg(1, false)));
    expect(f.reason).toMatch(/exited holding 1 lock/);
    expect(r.execute(lockProg(1, true)).r0).toBe(0n); // released: the next run can take it
  });
});

describe('re-entrant callbacks', () => {
  // main: r1 = &cb, r2 = n, call CB_LOOP; exit.  cb(i): r0 = DOUBLE(i) + 1
  const loopProg = (n: number, cb: ReturnType<typeof prog>['insns']) =>
    prog([lddw(1, 5n, 4), mov64(2, n), call(CB_LOOP), exit(), exit(), ...cb]);
  // 0-1 lddw r1 = &cb (0 + 5 + 1 = 6), 2 r2 = n, 3 call, 4 exit, 5 exit, cb from 6
  it('a helper calls a BPF function that itself calls a helper', () => {
    const p = loopProg(10, [call(DOUBLE), alu64k(ADD, 0, 1), exit()]);
    // sum over i < 10 of 2i + 1 = 100
    const res = rt().execute(p);
    expect(res.r0).toBe(100n);
    expect(res.insnCount).toBe(4 + 10 * 3);
  });
  it('callback frames count toward the 8-frame limit', () => {
    // cb(x): if x == 0 return 0; else CALL_ONCE(cb, x - 1) + 1  (each level: one callback frame)
    const mk = (n: number) =>
      prog([lddw(1, 4n, 4), mov64(2, n), call(CALL_ONCE), exit(), // 0-4, cb at 5
        mov64(0, 0), jmpk(0x10, 1, 0, 6), movr(2, 1), alu64k(ADD, 2, -1), lddw(1, -5n, 4), call(CALL_ONCE), alu64k(ADD, 0, 1), exit()]);
    // lddw at 9 with imm -5 -> 9 - 5 + 1 = 5
    expect(rt().execute(mk(6)).r0).toBe(6n); // main + 7 callback frames = 8
    const f = faultOf(() => rt().execute(mk(7)));
    expect(f.reason).toMatch(/call depth exceeds 8 frames/);
    expect(f.pc).toBe(11); // the helper call inside the deepest callback
  });
  it('a fault inside a callback ends the run and reports the callback pc', () => {
    const p = loopProg(3, [mov64(1, 0), ldx(W, 0, 1, 0), exit()]);
    const f = faultOf(() => rt().execute(p));
    expect(f.pc).toBe(7);
    expect(f.reason).toMatch(/read of 4 bytes at 0x0/);
  });
  it('the instruction budget includes callbacks', () => {
    const p = loopProg(1000, [mov64(0, 1), exit()]);
    expect(rt().execute(p).insnCount).toBe(4 + 2000);
    const f = faultOf(() => rt().execute(p, { maxInsns: 1000 }));
    expect(f.reason).toMatch(/instruction budget of 1000 exhausted/);
    expect([6, 7]).toContain(f.pc);
  });
  it('a run after a faulted callback starts clean', () => {
    const r = rt();
    expect(() => r.execute(loopProg(3, [mov64(1, 0), ldx(W, 0, 1, 0), exit()]))).toThrow(VmFault);
    expect(r.execute(loopProg(10, [call(DOUBLE), alu64k(ADD, 0, 1), exit()])).r0).toBe(100n);
    expect(r.execute(prog([mov64(1, 6), callLocal(1), exit(), mov64(0, 0), exit()])).r0).toBe(0n);
  });
});

describe('HelperCall services', () => {
  it('ptr() refuses handles and kernel addresses; map() refuses non-maps', () => {
    const r = new Runtime({ helpers: [helper(1, (c) => c.ptr(1)), helper(2, (c) => c.map(1).maxEntries)] });
    const m = r.createMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 3, flags: 0 });
    expect(r.execute(prog([movr(1, 10), call(1), exit()])).r0).toBeGreaterThan(0n);
    expect(r.execute(prog([mov64(1, 0), call(1), exit()])).r0).toBe(0n);
    expect(faultOf(() => r.execute(prog([lddw(1, m.handle), call(1), exit()]))).reason).toMatch(/r1 is a map handle, not a pointer/);
    expect(faultOf(() => r.execute(prog([lddw(1, 0xffff888000000000n), call(1), exit()]))).reason).toMatch(/not arena memory/);
    expect(r.execute(prog([lddw(1, BigInt(m.id), 1), call(2), exit()])).r0).toBe(3n);
    expect(faultOf(() => r.execute(prog([mov64(1, 5), call(2), exit()]))).reason).toMatch(/r1 \(0x5\) is not a map/);
  });
  it('cpu, progType, gpl, output, state and env are the run\'s', () => {
    let seen: unknown[] = [];
    const r = new Runtime({
      ncpus: 4,
      task: { pid: 42, comm: 'x' },
      helpers: [
        helper(1, (c) => {
          c.output.printk.push('hi');
          c.state.set('n', ((c.state.get('n') as number) ?? 0) + 1);
          seen = [c.cpu, c.progType, c.gpl, c.state.get('n'), c.env.task.pid, c.env.ncpus, c.arena === r.arena];
          return 0;
        }),
      ],
    });
    const res = r.execute(prog([call(1), call(1), exit()], { progType: 6, gpl: false }), { cpu: 3 });
    expect(res.output.printk).toEqual(['hi', 'hi']);
    expect(seen).toEqual([3, 6, false, 2, 42, 4, true]);
    expect(() => r.execute(prog([exit()]), { cpu: 4 })).toThrow(/cpu 4 out of range/);
  });
  it('a helper may run another program on the same runtime (nested runs do not share frames)', () => {
    const r: Runtime = new Runtime({
      helpers: [
        helper(1, (c) => r.execute(inner, { args: [c.u64(1)] }).r0),
      ],
    });
    // inner writes its stack and returns r1 * 2
    const inner = prog([stx(DW, 10, 1, -8), ldx(DW, 0, 10, -8), alu64x(ADD, 0, 0), exit()], { name: 'inner' });
    // outer keeps a value on its stack across the nested run
    const outer = prog([st(DW, 10, -8, 77), mov64(1, 21), call(1), ldx(DW, 1, 10, -8), alu64x(ADD, 0, 1), exit()]);
    expect(r.execute(outer).r0).toBe(42n + 77n);
  });
  it('bad run arguments are faults, not raw exceptions', () => {
    expect(() => new Runtime().execute(prog([exit()]), { args: [1.5] })).toThrow(VmFault);
  });
});

describe('forged function handles', () => {
  it('callx to a handle outside the program or into an lddw faults', () => {
    const FUNC_HI = 0xebf00003n << 32n;
    expect(() => rt().execute(prog([lddw(2, FUNC_HI | 0xffffffffn), I(0x8d, 2), exit()]))).toThrow(/outside the program/);
    expect(() => rt().execute(prog([lddw(2, FUNC_HI | 50n), I(0x8d, 2), exit()]))).toThrow(/outside the program/);
    expect(() => rt().execute(prog([lddw(2, FUNC_HI | 1n), I(0x8d, 2), exit()]))).toThrow(/not an instruction/);
    // a helper handed a forged handle: the callback service refuses too
    expect(() => rt().execute(prog([lddw(1, FUNC_HI | 99n), call(CALL_ONCE), exit()]))).toThrow(/outside the program/);
    expect(() => rt().execute(prog([lddw(1, FUNC_HI | 1n), call(CALL_ONCE), exit()]))).toThrow(/not an instruction/);
  });
});

describe('resolved LD_IMM64 values', () => {
  it('a destroyed map is not reachable through a program that resolved it before', () => {
    const r = rt();
    const m = r.createMap({ name: 'g', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 });
    const p = prog([lddw(1, BigInt(m.id), 2), ldx(DW, 0, 1, 0), exit()]);
    expect(r.execute(p).r0).toBe(0n);
    r.destroyMap(m.id);
    expect(() => r.execute(p)).toThrow(/map id \d+ has no direct value/);
  });
});

describe('may_goto', () => {
  // r0 counts the fall-throughs of one may_goto until the frame's budget is gone:
  // 0: r0 = 0; 1: may_goto +2; 2: r0 += 1; 3: goto -3; 4: exit
  const countLoop = [mov64(0, 0), mayGoto(2), alu64k(ADD, 0, 1), ja(-3), exit()];
  it('falls through BPF_MAX_LOOPS (8M) times per frame, then takes its branch', () => {
    // main: call sub (exhausts its own budget); main's may_goto still falls through once (r0 += 1),
    // which it would not if the budget were shared between frames.
    const p = prog([callLocal(3), mayGoto(1), alu64k(ADD, 0, 1), exit(), ...countLoop]);
    expect(rt().execute(p).r0).toBe(BigInt(8 * 1024 * 1024) + 1n);
  });
  it('is one instruction of the budget', () => {
    const res = rt().execute(prog([mayGoto(0), mov64(0, 3), exit()]));
    expect(res.r0).toBe(3n);
    expect(res.insnCount).toBe(3);
  });
});
