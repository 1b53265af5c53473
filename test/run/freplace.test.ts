// Extension (freplace) programs: test/progs/fr_ext.c's extensions loaded against
// test/progs/fr_target.c, verified as the target's type, attached, and the target run with them.
// The oracle is the host kernel's result for test/progs/fr_equiv.c, the target with the
// extensions' bodies compiled in (the host refuses every trampoline program, freplace included,
// with EPERM before its verifier runs: test/fixtures/kernel-progs-local/fr_equiv.json). The
// refusals are the kernel's bpf_check_attach_target / btf_check_type_match log lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, openObject, objectNameFromPath, type LoadedObject, type LoadOptions } from '../../src/loader/index.js';
import { attachFreplace } from '../../src/freplace.js';
import { runnableProgram } from '../../src/verify.js';
import { testRun, TestRunInputError } from '../../src/test-run-api.js';
import { VerifierError } from '../../src/errors.js';
import { cli } from '../cli/capture.js';
import { ROOT } from './helpers.js';

/** A refusal's line: its log without the statistics bpf_check prints however it ends. */
const errorLine = (log: string): string => log.trim().split('\n').filter((l) => !l.startsWith('processed ')).join('\n');

const progPath = (f: string) => join(ROOT, 'test/progs', f);
const open = (f: string) => openObject(new Uint8Array(readFileSync(progPath(f))), { name: objectNameFromPath(progPath(f)) });

interface Run {
  retval: number;
  data_out: string | null;
}
interface Fixture {
  inputs: { skb: [string, string, null][] };
  programs: Record<string, { runs: Record<string, Run> }>;
}
const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kernel-progs-local', name), 'utf8')) as Fixture;
const EQUIV = fixture('fr_equiv.json');
const TARGET = fixture('fr_target.json');
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const want = (r: Run, data: string): Run => ({ retval: r.retval, data_out: r.data_out === '=data_in' ? data : r.data_out });

interface Setup {
  runtime: Runtime;
  target: LoadedObject;
  ext: LoadedObject;
}

/** fr_target's `prog` (verified) and fr_ext's `exts` against it (function name per program). */
function setup(prog: string, exts: Record<string, string | undefined>, opts: { verify?: boolean; engine?: 'compiled' | 'interpreter' } = {}): Setup {
  const runtime = new Runtime({ ncpus: 1, ...(opts.engine ? { engine: opts.engine } : {}) });
  const target = load(runtime, open('fr_target.o'), { programs: [prog] });
  if (opts.verify !== false) expect(target.program(prog).verify().accepted).toBe(true);
  const attachTargets: NonNullable<LoadOptions['attachTargets']> = {};
  for (const [name, func] of Object.entries(exts)) attachTargets[name] = { program: target.program(prog), ...(func ? { func } : {}) };
  const ext = load(runtime, open('fr_ext.o'), { programs: Object.keys(exts), attachTargets });
  if (opts.verify !== false) {
    for (const name of Object.keys(exts)) {
      const r = ext.program(name).verify();
      expect(r.error, name).toBeUndefined();
    }
  }
  return { runtime, target, ext };
}

const run = (s: Setup, prog: string, data: string): Run => {
  const r = testRun(s.runtime, runnableProgram(s.target.program(prog)), { data: hex(data) });
  return { retval: r.retval, data_out: r.dataOut ? Buffer.from(r.dataOut).toString('hex') : null };
};

/** Why the extension `name` loaded against fr_target's `prog` (verified first) is refused: the
 *  load's refusal (bpf_check_attach_target's checks) or the verifier's; undefined if accepted. */
function refusal(prog: string, name: string, func?: string): { error: string; log: string } | undefined {
  const runtime = new Runtime({ ncpus: 1 });
  const target = load(runtime, open('fr_target.o'), { programs: [prog] });
  expect(target.program(prog).verify().accepted).toBe(true);
  let ext: LoadedObject;
  try {
    ext = load(runtime, open('fr_ext.o'), { programs: [name], attachTargets: { [name]: { program: target.program(prog), ...(func ? { func } : {}) } } });
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    return { error: errorLine(e.log), log: e.log };
  }
  const r = ext.program(name).verify({ logLevel: 1 });
  return r.accepted ? undefined : { error: r.error!, log: r.log };
}

afterEach(() => vi.restoreAllMocks());

describe('freplace: the target runs the extensions, as the host kernel runs the equivalent program', () => {
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verify of [true, false]) {
      it(`fr_main with new_scale, new_const, new_touch attached (${engine}, ${verify ? 'verified' : 'unverified'})`, () => {
        for (const [input, data] of EQUIV.inputs.skb) {
          const s = setup('fr_main', { new_scale: undefined, new_const: undefined, new_touch: undefined }, { verify, engine });
          const links = ['new_scale', 'new_const', 'new_touch'].map((n) => attachFreplace(s.ext, n));
          expect(run(s, 'fr_main', data), input).toEqual(want(EQUIV.programs.fr_main!.runs[input]!, data));
          // each side keeps its own global data: fr_scale ran twice and fr_touch once
          expect(s.ext.map('fr_ext.bss').lookup(new Uint8Array(4))).toEqual(new Uint8Array([3, 0, 0, 0]));
          expect(s.target.map('fr_targe.bss').lookup(new Uint8Array(4))).toEqual(new Uint8Array([1, 0, 0, 0]));
          // detached, the target runs its own functions again (a fresh load: global data restarts)
          for (const l of links) l.detach();
          const fresh = setup('fr_main', {}, { verify, engine });
          expect(run(fresh, 'fr_main', data), input).toEqual(want(TARGET.programs.fr_main!.runs[input]!, data));
        }
      });
    }
    it(`a whole main program replaced: fr_whole runs new_main (SEC("freplace"), the function given) (${engine})`, () => {
      for (const [input, data] of EQUIV.inputs.skb) {
        const s = setup('fr_whole', { new_main: 'fr_whole' }, { engine });
        const before = run(s, 'fr_whole', data);
        expect(before, input).toEqual(want(TARGET.programs.fr_whole!.runs[input]!, data));
        const link = attachFreplace(s.ext, 'new_main');
        expect(run(s, 'fr_whole', data), input).toEqual(want(EQUIV.programs.fr_whole!.runs[input]!, data));
        link.detach();
        expect(run(s, 'fr_whole', data), input).toEqual(before);
      }
    });
  }

  it('one function replaced at a time: the others stay the target\'s', () => {
    const data = EQUIV.inputs.skb[1]![1];
    const s = setup('fr_main', { new_const: undefined });
    const plain = run(s, 'fr_main', data).retval;
    attachFreplace(s.ext, 'new_const');
    const got = run(s, 'fr_main', data).retval;
    // Only b = fr_const(41) changed: 42 from the target, (41 * 3 + ext_calls 0) * ext_seed 5 = 615
    // from the extension; target_runs went from 1 to 2.
    expect((got - 2) ^ (plain - 1)).toBe((615 << 8) ^ (42 << 8));
  });
});

describe('freplace: what the kernel refuses', () => {
  const line = (e: { error: string } | undefined | unknown): string => {
    if (e instanceof VerifierError) return errorLine(e.log);
    expect(e).toBeDefined();
    return (e as { error: string }).error;
  };

  it('prototype mismatches (btf_check_func_type_match)', () => {
    expect(line(refusal('fr_main', 'bad_nargs'))).toBe('bad_nargs() has 1 args while fr_scale() has 2 args');
    expect(line(refusal('fr_main', 'bad_struct'))).toBe('arg0 bad_struct(struct xdp_md *) doesn\'t match fr_scale(struct __sk_buff *)');
    expect(line(refusal('fr_main', 'bad_size'))).toBe('arg1 in bad_size() has size 8 while fr_scale() has 4');
    expect(line(refusal('fr_main', 'bad_ret'))).toBe('Return type ENUM of bad_ret() doesn\'t match type INT of fr_const()');
    expect(line(refusal('fr_main', 'new_const', 'fr_scale'))).toBe('new_const() has 1 args while fr_scale() has 2 args');
  });

  it('a static function, a function verification removed, packet changes the original does not make', () => {
    expect(line(refusal('fr_whole', 'new_static'))).toBe('fr_static() is not a global function');
    expect(line(refusal('fr_whole', 'new_unused'))).toBe("Subprog fr_unused doesn't exist");
    expect(line(refusal('fr_main', 'pull_touch'))).toBe('Extension program changes packet data, while original does not');
  });

  it('the target\'s program type rules the extension: its return range and its context', () => {
    const e = refusal('fr_cg', 'wide_const');
    expect(line(e)).toContain('At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]');
    expect(e!.log).toMatch(/^Validating wide_const\(\) func#0\.\.\./m);
    expect(line(refusal('fr_main', 'bad_ctx'))).toMatch(/invalid bpf_context access off=200 size=4/);
    // the same return value is fine where the target is a tc program
    expect(refusal('fr_main', 'wide_const')).toBeUndefined();
  });

  it('an extension of an extension', () => {
    const s = setup('fr_main', { new_touch: undefined });
    const e = (() => {
      try {
        load(s.runtime, open('fr_ext.o'), { programs: ['new_scale'], attachTargets: { new_scale: { program: s.ext.program('new_touch'), func: 'new_touch' } } });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(line(e)).toBe('Cannot recursively attach');
  });

  it('missing or wrong attach targets are named', () => {
    const runtime = new Runtime();
    const target = load(runtime, open('fr_target.o'), { programs: ['fr_main'] });
    expect(() => load(runtime, open('fr_ext.o'), { programs: ['new_scale'] })).toThrow(/new_scale: SEC\("freplace\/fr_scale"\) replaces fr_scale\(\) of another loaded program/);
    expect(() => load(runtime, open('fr_ext.o'), { programs: ['new_main'], attachTargets: { new_main: { program: target.program('fr_main') } } })).toThrow(/new_main: SEC\("freplace"\) names no function to replace/);
    expect(() => load(runtime, open('fr_ext.o'), { programs: ['new_main'], attachTargets: { new_main: { program: target.program('fr_main'), func: 'nope' } } })).toThrow(/no function nope in the BTF of target program fr_main/);
    expect(() => load(runtime, open('fr_ext.o'), { programs: ['new_main'], attachTargets: { fr_x: { program: target.program('fr_main') } } })).toThrow(/attachTargets names fr_x, which is not a program of this object/);
    expect(() => load(runtime, open('fr_target.o'), { programs: ['fr_main'], attachTargets: { fr_main: { program: target.program('fr_main') } } })).toThrow(/fr_main, which is a sched_cls program .* not an extension/);
  });

  it('a test run of an extension is -ENOTSUPP; a second extension of one function and a tail-call target are -EBUSY', () => {
    const s = setup('fr_main', { new_scale: undefined });
    const err = (() => {
      try {
        testRun(s.runtime, runnableProgram(s.ext.program('new_scale')), { data: new Uint8Array(64) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TestRunInputError);
    expect((err as TestRunInputError).errno).toBe('ENOTSUPP');
    const link = attachFreplace(s.ext, 'new_scale');
    // one joined program while nothing changes (the engines compile per program)
    const joined = runnableProgram(s.target.program('fr_main'));
    expect(runnableProgram(s.target.program('fr_main'))).toBe(joined);
    expect(s.runtime.programById(s.target.program('fr_main').id)).toBe(joined);
    expect(joined.extendedFuncs).toEqual(['fr_scale']);
    expect(() => attachFreplace(s.ext, 'new_scale')).toThrow(/already attached .*-EBUSY/);
    const other = load(s.runtime, open('fr_ext.o'), { programs: ['new_scale'], attachTargets: { new_scale: { program: s.target.program('fr_main') } } });
    expect(() => attachFreplace(other, 'new_scale')).toThrow(/fr_scale\(\) is already replaced by new_scale \(-EBUSY\)/);
    link.detach();
    expect(runnableProgram(s.target.program('fr_main'))).toBe(s.target.program('fr_main').xlated);
    expect(attachFreplace(other, 'new_scale').func).toBe('fr_scale');
  });

  for (const engine of ['compiled', 'interpreter'] as const) {
    it(`an extension that throws is its own exception boundary: the replaced function returns its callback's value (${engine})`, () => {
      const data = EQUIV.inputs.skb[1]![1];
      const plain = run(setup('fr_main', {}, { engine }), 'fr_main', data).retval;
      // fr_main calls fr_const(41): 42 from the target; thrown with cookie 41 + ext_seed 5
      const bOf = (retval: number) => (((retval - 1) ^ (plain - 1)) >> 8) ^ 42;
      const def = setup('fr_main', { throw_const: undefined }, { engine });
      attachFreplace(def.ext, 'throw_const');
      expect(bOf(run(def, 'fr_main', data).retval)).toBe(46); // the default callback: the cookie
      const cb = setup('fr_main', { throw_const_cb: undefined }, { engine });
      attachFreplace(cb.ext, 'throw_const_cb');
      expect(bOf(run(cb, 'fr_main', data).retval)).toBe(46 * 2 + 7); // fr_ext_cb(cookie)
    });
  }
});

describe('freplace: one extension, several targets (bpf_link_create with a target_fd)', () => {
  it('a second load of the target runs the extension too; a target of another type is -EINVAL', () => {
    const data = EQUIV.inputs.skb[0]![1];
    const s = setup('fr_main', { new_const: undefined });
    attachFreplace(s.ext, 'new_const');
    const second = load(s.runtime, open('fr_target.o'), { programs: ['fr_main'] });
    expect(second.program('fr_main').verify().accepted).toBe(true);
    const plain = testRun(s.runtime, runnableProgram(second.program('fr_main')), { data: hex(data) }).retval;
    const link = attachFreplace(s.ext, 'new_const', { program: second.program('fr_main') });
    expect(link.target).toBe(second.program('fr_main'));
    const replaced = testRun(s.runtime, runnableProgram(second.program('fr_main')), { data: hex(data) }).retval;
    // as in the first target: only fr_const(41) changes, 42 -> 615; target_runs 1 -> 2
    expect((replaced - 2) ^ (plain - 1)).toBe((615 << 8) ^ (42 << 8));
    const cg = load(s.runtime, open('fr_target.o'), { programs: ['fr_cg'] });
    expect(() => attachFreplace(s.ext, 'new_const', { program: cg.program('fr_cg') })).toThrow(/verified for fr_main's program type and attach type, which differ \(-EINVAL\)/);
    expect(() => attachFreplace(s.ext, 'new_const', { program: second.program('fr_main'), func: 'fr_scale' })).toThrow(/new_const\(\) has 1 args while fr_scale\(\) has 2 args \(-EINVAL\)/);
  });
});

describe('freplace in the CLI', () => {
  const pkt = () => {
    const data = EQUIV.inputs.skb.find(([n]) => n === 'pkt_v4')![1];
    const path = join(tmpdir(), `ebpfvm-fr-${process.pid}.bin`);
    writeFileSync(path, hex(data));
    return { path, data };
  };

  it('run --replace: several programs of one object share its global data; --dump-maps shows both sides', async () => {
    const { path, data } = pkt();
    const ext = progPath('fr_ext.o');
    const r = await cli('run', progPath('fr_target.o'), '--prog', 'fr_main', '--data', path, '--replace', `${ext}:new_scale`, '--replace', `${ext}:new_const`, '--replace', `${ext}:new_touch`, '--json', '--dump-maps');
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    const w = EQUIV.programs.fr_main!.runs.pkt_v4!;
    expect({ retval: out.retval, data_out: out.data_out }).toEqual(want(w, data));
    expect(out.extensions).toEqual([
      { program: 'new_scale', replaces: 'fr_scale', verified: true },
      { program: 'new_const', replaces: 'fr_const', verified: true },
      { program: 'new_touch', replaces: 'fr_touch', verified: true },
    ]);
    expect(out.maps['fr_ext.bss'].entries[0].value).toBe('03000000');
  });

  it('run --replace FILE=FUNC for a SEC("freplace") program; errors name the problem', async () => {
    const { path, data } = pkt();
    const ok = await cli('run', progPath('fr_target.o'), '--prog', 'fr_whole', '--data', path, '--replace', `${progPath('fr_ext.o')}:new_main=fr_whole`);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain(`Return value: ${want(EQUIV.programs.fr_whole!.runs.pkt_v4!, data).retval},`);
    expect(ok.err).toContain("Attached: new_main replaces fr_whole's fr_whole()");
    const many = await cli('run', progPath('fr_target.o'), '--prog', 'fr_main', '--data', path, '--replace', progPath('fr_ext.o'));
    expect(many.code).toBe(2);
    expect(many.err).toMatch(/has 15 freplace programs; choose one with .*:PROG \(new_scale, new_const, new_touch, new_main, bad_nargs/);
    const bad = await cli('run', progPath('fr_target.o'), '--prog', 'fr_main', '--data', path, '--replace', `${progPath('fr_ext.o')}:bad_nargs`);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('bad_nargs() has 1 args while fr_scale() has 2 args');
    const notExt = await cli('run', progPath('fr_target.o'), '--prog', 'fr_main', '--data', path, '--replace', `${progPath('fr_target.o')}:fr_cg`);
    expect(notExt.code).toBe(2);
    expect(notExt.err).toContain('not an extension');
  });

  it('verify --target', async () => {
    const r = await cli('verify', progPath('fr_ext.o'), '--prog', 'pull_touch', '--target', `${progPath('fr_target.o')}:fr_main`);
    expect(r.code).toBe(1);
    expect(r.out).toBe('pull_touch: rejected: Extension program changes packet data, while original does not\n');
    const ok = await cli('verify', progPath('fr_ext.o'), '--prog', 'new_main', '--target', `${progPath('fr_target.o')}:fr_whole=fr_whole`);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^new_main: accepted \(\d+ insns processed\)\n$/);
    const none = await cli('verify', progPath('fr_ext.o'), '--prog', 'new_scale');
    expect(none.code).toBe(2);
    expect(none.out).toContain('replaces fr_scale() of another loaded program');
  });
});
