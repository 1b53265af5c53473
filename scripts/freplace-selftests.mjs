#!/usr/bin/env node
// The kernel selftests' freplace scenarios (tools/testing/selftests/bpf/prog_tests: fexit_bpf2bpf.c,
// global_func_dead_code.c, trace_ext.c, changes_pkt_data.c, tailcalls.c), each replayed through
// the library with the objects `npm run kernel:tree` builds (/root/.cache/ebpfvm/build/progs) and
// checked against what the prog_test asserts: the load succeeds or fails (with its message where
// the test names one), the target's retval after the replacement, the extension's result
// variables, the map updates and attachments it expects to fail. The host kernel cannot be asked
// (it refuses every trampoline program here, EPERM before its verifier runs), so these
// assertions are the oracle. Prints one line per scenario and a total; exit 1 if one differs.
//
//   npx tsc -p . && node scripts/freplace-selftests.mjs [--markdown] [--engine compiled|interpreter]
//   node scripts/freplace-selftests.mjs --host   asks the host kernel instead, through
//       test/kernel/harness/freplace-harness.c (built against the 6.12 tree's libbpf): fr_target.o
//       with fr_ext.o's new_scale, and fexit_bpf2bpf's func_replace; one JSON line per step
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const dist = (p) => join(root, 'dist', p);
const { Runtime } = await import(dist('src/runtime.js'));
const { load, openObject, objectNameFromPath } = await import(dist('src/loader/index.js'));
const { attachFreplace } = await import(dist('src/freplace.js'));
const { runnableProgram } = await import(dist('src/verify.js'));
const { testRun } = await import(dist('src/test-run-api.js'));
const { VerifierError } = await import(dist('src/errors.js'));

const OBJS = process.env.EBPFVM_PROGS ?? '/root/.cache/ebpfvm/build/progs';

if (process.argv.includes('--host')) {
  const { spawnSync } = await import('node:child_process');
  const { buildHarness } = await import('./kernel-tree.mjs');
  const bin = buildHarness('freplace-harness');
  const v4 = '00'.repeat(12) + '0800' + '05' + '00' + '007b' + '00'.repeat(5) + '06' + '00'.repeat(10) + '00'.repeat(12) + '50' + '00'.repeat(5) + '7b00';
  for (const args of [
    [join(root, 'test/progs/fr_target.o'), 'fr_main', join(root, 'test/progs/fr_ext.o'), 'new_scale', 'fr_scale', 'pkt_v4', v4],
    [join(OBJS, 'test_pkt_access.o'), 'test_pkt_access', join(OBJS, 'freplace_get_constant.o'), 'security_new_get_constant', 'get_constant', 'pkt_v4', v4],
  ]) {
    process.stdout.write(`# ${args[1]} with ${args[3]} in place of ${args[4]}\n`);
    const r = spawnSync(bin, args, { encoding: 'utf8' });
    process.stdout.write(r.stdout + (r.stderr ?? ''));
  }
  process.exit(0);
}
const markdown = process.argv.includes('--markdown');
const engineAt = process.argv.indexOf('--engine');
const engine = engineAt >= 0 ? process.argv[engineAt + 1] : undefined;
if (!existsSync(OBJS)) {
  process.stderr.write(`freplace-selftests: no selftest objects in ${OBJS} (npm run kernel:tree builds them)\n`);
  process.exit(2);
}

const zeros = (n) => '00'.repeat(n);
// network_helpers.c's pkt_v4 and pkt_v6 (tot_len / payload_len 123, urg_ptr 123, doff 5)
const PKT_V4 = zeros(12) + '0800' + '05' + '00' + '007b' + zeros(5) + '06' + zeros(10) + zeros(12) + '50' + zeros(5) + '7b00';
const PKT_V6 = zeros(12) + '86dd' + zeros(4) + '007b' + '06' + '00' + zeros(32) + zeros(12) + '50' + zeros(5) + '7b00';
const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const open = (f) => openObject(new Uint8Array(readFileSync(join(OBJS, f))), { name: objectNameFromPath(f) });

/** Load `prog` of target object `tobj`, verified, in a fresh runtime. */
function target(tobj, prog, runtime = new Runtime({ ncpus: 1, ...(engine ? { engine } : {}) })) {
  const obj = load(runtime, open(tobj), { programs: [prog] });
  const r = obj.program(prog).verify();
  if (!r.accepted) throw new Error(`target ${prog} rejected: ${r.error}`);
  return { runtime, obj, prog: obj.program(prog) };
}

/** Load extensions {name: func|undefined} of `eobj` against `t`, verified: the loaded object, or
 *  { error } with the kernel's log line. */
function extension(t, eobj, exts) {
  const attachTargets = Object.fromEntries(Object.entries(exts).map(([n, f]) => [n, { program: t.prog, ...(f ? { func: f } : {}) }]));
  let obj;
  try {
    obj = load(t.runtime, open(eobj), { programs: Object.keys(exts), attachTargets });
  } catch (e) {
    return { error: e instanceof VerifierError ? e.log.trim() : e.message };
  }
  for (const n of Object.keys(exts)) {
    const r = obj.program(n).verify();
    if (!r.accepted) return { error: r.error };
  }
  return { obj };
}

const bssOf = (obj) => {
  const lm = [...obj.maps.entries()].find(([n]) => n.endsWith('.bss'));
  return lm ? lm[1].map.lookup(new Uint8Array(4)) : undefined;
};
/** The u64 BTF variable `name` of the .bss of `obj`. */
function bssVar(obj, name) {
  const g = obj.spec.globals.get(name);
  const b = bssOf(obj);
  return g && b ? new DataView(b.buffer, b.byteOffset).getBigUint64(g.offset, true) : undefined;
}
const run = (t, data) => testRun(t.runtime, runnableProgram(t.prog), { data: hex(data) }).retval;

const scenarios = [];
const scenario = (file, name, fn) => scenarios.push({ file, name, fn });

// ---- fexit_bpf2bpf.c ---------------------------------------------------------------------------
scenario('fexit_bpf2bpf.c', 'func_replace (the four freplace programs; its fexit ones are fentry/fexit to BPF, not replayed)', () => {
  const t = target('test_pkt_access.o', 'test_pkt_access');
  const names = { new_get_skb_len: undefined, new_get_skb_ifindex: undefined, new_get_constant: undefined, new_test_pkt_write_access_subprog: undefined };
  const e = extension(t, 'fexit_bpf2bpf.o', names);
  if (e.error) return `load failed: ${e.error}`;
  for (const n of Object.keys(names)) attachFreplace(e.obj, n);
  const rv = run(t, PKT_V6);
  const vars = ['test_get_skb_len', 'test_get_skb_ifindex', 'test_get_constant', 'test_pkt_write_access_subprog'].map((v) => bssVar(e.obj, v));
  return rv === 0 && vars.every((v) => v === 1n) ? true : `retval ${rv}, results ${vars.join(',')} (want 0 and 1,1,1,1)`;
});
scenario('fexit_bpf2bpf.c', 'func_replace_verify (freplace_connect4 do_bind on connect4_prog)', () => {
  const t = target('connect4_prog.o', 'connect_v4_prog');
  const e = extension(t, 'freplace_connect4.o', { new_do_bind: undefined });
  return e.error ? `load failed: ${e.error}` : true;
});
scenario('fexit_bpf2bpf.c', 'func_replace_return_code (freplace_connect_v4_prog returns 255: refused)', () => {
  const t = target('connect4_prog.o', 'connect_v4_prog');
  const e = extension(t, 'freplace_connect_v4_prog.o', { new_connect_v4_prog: undefined });
  return e.error ? true : 'loaded, the test expects a refusal';
});
scenario('fexit_bpf2bpf.c', 'func_sockmap_update (freplace_cls_redirect on test_cls_redirect)', () => {
  const t = target('test_cls_redirect.o', 'cls_redirect');
  const e = extension(t, 'freplace_cls_redirect.o', { freplace_cls_redirect_test: undefined });
  return e.error ? `load failed: ${e.error}` : true;
});
scenario('fexit_bpf2bpf.c', 'func_replace_unreliable ("Cannot replace static functions")', () => {
  const t = target('verifier_btf_unreliable_prog.o', 'btf_unreliable_kprobe');
  const e = extension(t, 'freplace_unreliable_prog.o', { replace_btf_unreliable_kprobe: undefined });
  return e.error?.includes('Cannot replace static functions') ? true : `got ${e.error ?? 'a load'}`;
});
scenario('fexit_bpf2bpf.c', 'func_replace_multi and test_second_attach (freplace_get_constant, then attached to a second target too)', () => {
  const t = target('test_pkt_access.o', 'test_pkt_access');
  const e = extension(t, 'freplace_get_constant.o', { security_new_get_constant: undefined });
  if (e.error) return `load failed: ${e.error}`;
  attachFreplace(e.obj, 'security_new_get_constant');
  const rv1 = run(t, PKT_V6);
  const v1 = bssVar(e.obj, 'test_get_constant');
  // test_second_attach: a second load of the target, the same extension attached to it as well
  const t2 = target('test_pkt_access.o', 'test_pkt_access', t.runtime);
  attachFreplace(e.obj, 'security_new_get_constant', { program: t2.prog, func: 'get_constant' });
  const rv2 = run(t2, PKT_V6);
  return rv1 === 0 && v1 === 1n && rv2 === 0 ? true : `retvals ${rv1}, ${rv2}, test_get_constant ${v1}`;
});
scenario('fexit_bpf2bpf.c', 'func_map_prog_compatibility (freplace_attach_probe on test_attach_probe: refused)', () => {
  const t = target('test_attach_probe.o', 'handle_kprobe_auto');
  const e = extension(t, 'freplace_attach_probe.o', { new_handle_kprobe: undefined });
  return e.error ? true : 'loaded, the test expects a refusal';
});
scenario('fexit_bpf2bpf.c', 'func_replace_global_func (freplace_global_func replaces the main program)', () => {
  const t = target('test_pkt_access.o', 'test_pkt_access');
  const e = extension(t, 'freplace_global_func.o', { new_test_pkt_access: undefined });
  if (e.error) return `load failed: ${e.error}`;
  attachFreplace(e.obj, 'new_test_pkt_access');
  const rv = run(t, PKT_V6);
  return rv === 1 ? true : `retval ${rv} (test_ctx_global_func returns 1)`;
});
scenario('fexit_bpf2bpf.c', 'func_replace_progmap (the cpumap takes an xdp/cpumap program after an extension used it)', () => {
  const t = target('xdp_dummy.o', 'xdp_dummy_prog');
  const e = extension(t, 'freplace_progmap.o', { xdp_cpumap_prog: 'xdp_dummy_prog' });
  if (e.error) return `load failed: ${e.error}`;
  const drop = load(t.runtime, open('freplace_progmap.o'), { programs: ['xdp_drop_prog'] });
  const value = new Uint8Array(8);
  new DataView(value.buffer).setUint32(0, 1, true); // qsize
  new DataView(value.buffer).setUint32(4, drop.program('xdp_drop_prog').id, true);
  const err = e.obj.map('cpu_map').update(new Uint8Array(4), value);
  return err === 0 ? true : `cpumap update: errno ${-err}`;
});

// ---- global_func_dead_code.c -------------------------------------------------------------------
scenario('global_func_dead_code.c', 'global_good loads; global_dead: "Subprog global_dead doesn\'t exist"', () => {
  const t = target('verifier_global_subprogs.o', 'chained_global_func_calls_success');
  const good = extension(t, 'freplace_dead_global_func.o', { freplace_prog: 'global_good' });
  const dead = extension(t, 'freplace_dead_global_func.o', { freplace_prog: 'global_dead' });
  if (good.error) return `global_good: ${good.error}`;
  return dead.error?.includes("Subprog global_dead doesn't exist") ? true : `global_dead: ${dead.error ?? 'loaded'}`;
});

// ---- trace_ext.c -------------------------------------------------------------------------------
scenario('trace_ext.c', 'test_trace_ext replaces test_pkt_md_access (its fentry/fexit on the extension not replayed)', () => {
  const t = target('test_pkt_md_access.o', 'test_pkt_md_access');
  const e = extension(t, 'test_trace_ext.o', { test_pkt_md_access_new: undefined });
  if (e.error) return `load failed: ${e.error}`;
  attachFreplace(e.obj, 'test_pkt_md_access_new');
  const rv = run(t, PKT_V4);
  const called = bssVar(e.obj, 'ext_called');
  return rv === 0 && called === 54n ? true : `retval ${rv}, ext_called ${called} (want 0 and skb->len 54)`;
});

// ---- exceptions.c (its RUN_EXT cases with extensions) ---------------------------------------------
scenario('exceptions.c', 'throwing extension (with custom cb) -> exception_cb: "Extension programs cannot attach to exception callback"', () => {
  const t = target('exceptions.o', 'exception_ext_mod_cb_runtime');
  const e = extension(t, 'exceptions_ext.o', { throwing_exception_cb_extension: 'exception_cb_mod' });
  return e.error?.includes('Extension programs cannot attach to exception callback') ? true : `got ${e.error ?? 'a load'}`;
});
for (const [ext, tprog, func, want] of [
  ['throwing_exception_cb_extension', 'exception_ext_mod_cb_runtime', 'exception_cb_mod_global', 131],
  ['throwing_extension', 'exception_ext', 'exception_ext_global', 128],
]) {
  scenario('exceptions.c', `${ext} -> ${func}: ${tprog} returns ${want}`, () => {
    const t = target('exceptions.o', tprog);
    const e = extension(t, 'exceptions_ext.o', { [ext]: func });
    if (e.error) return `load failed: ${e.error}`;
    attachFreplace(e.obj, ext);
    const rv = run(t, PKT_V4);
    return rv === want ? true : `retval ${rv}`;
  });
}

// ---- changes_pkt_data.c ------------------------------------------------------------------------
const mains = [
  ['main_with_subprogs', 'changes_pkt_data', true],
  ['main_with_subprogs', 'does_not_change_pkt_data', false],
  ['main_changes', 'main_changes', true],
  ['main_does_not_change', 'main_does_not_change', false],
];
for (const [main, replaced, changes] of mains) {
  for (const [func, repChanges] of [['changes_pkt_data', true], ['does_not_change_pkt_data', false]]) {
    const expectLoad = changes || !repChanges;
    scenario('changes_pkt_data.c', `${replaced}_with_${func} (${expectLoad ? 'loads' : 'refused'})`, () => {
      const t = target('changes_pkt_data.o', main);
      const e = extension(t, 'changes_pkt_data_freplace.o', { [func]: replaced });
      if (expectLoad) return e.error ? `load failed: ${e.error}` : true;
      return e.error?.includes('Extension program changes packet data') ? true : `got ${e.error ?? 'a load'}`;
    });
  }
}

// ---- tailcalls.c -------------------------------------------------------------------------------
scenario('tailcalls.c', 'tailcall_freplace: the extension never goes into jmp_table; attached, entry_tc returns its count', () => {
  const t = target('tc_bpf2bpf.o', 'entry_tc');
  const e = extension(t, 'tailcall_freplace.o', { entry_freplace: 'subprog_tc' });
  if (e.error) return `load failed: ${e.error}`;
  const slot = (id) => {
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, id, true);
    return v;
  };
  const jmp = e.obj.map('jmp_table');
  const before = jmp.update(new Uint8Array(4), slot(e.obj.program('entry_freplace').id));
  attachFreplace(e.obj, 'entry_freplace');
  const after = jmp.update(new Uint8Array(4), slot(e.obj.program('entry_freplace').id));
  const rv = run(t, zeros(128));
  return before < 0 && after < 0 && rv === 1 ? true : `updates ${before}, ${after}, retval ${rv}`;
});
scenario('tailcalls.c', 'tailcall_bpf2bpf_freplace: a tail-call target cannot be extended, an extended program cannot be a tail-call target', () => {
  const t = target('tc_bpf2bpf.o', 'entry_tc');
  const e = extension(t, 'tailcall_freplace.o', { entry_freplace: 'subprog_tc' });
  if (e.error) return `load failed: ${e.error}`;
  const slot = new Uint8Array(4);
  new DataView(slot.buffer).setUint32(0, t.prog.id, true);
  const jmp = e.obj.map('jmp_table');
  const link = attachFreplace(e.obj, 'entry_freplace');
  const whileExtended = jmp.update(new Uint8Array(4), slot);
  link.detach();
  const afterDetach = jmp.update(new Uint8Array(4), slot);
  const del = jmp.delete(new Uint8Array(4));
  const again = jmp.update(new Uint8Array(4), slot);
  let attach = 'attached';
  try {
    attachFreplace(e.obj, 'entry_freplace');
  } catch (err) {
    attach = err.message;
  }
  return whileExtended < 0 && afterDetach === 0 && del === 0 && again === 0 && attach.includes('EBUSY') ? true : `update while extended ${whileExtended}, after detach ${afterDetach}, delete ${del}, again ${again}, attach: ${attach}`;
});

let pass = 0;
const rows = [];
for (const s of scenarios) {
  let r;
  try {
    r = s.fn();
  } catch (e) {
    r = `error: ${e.message}`;
  }
  if (r === true) pass++;
  rows.push([s.file, s.name, r === true ? 'as the selftest expects' : r]);
}
if (markdown) {
  process.stdout.write('| selftest | scenario | ebpfvm |\n| --- | --- | --- |\n');
  for (const [f, n, r] of rows) process.stdout.write(`| ${f} | ${n} | ${r.replace(/\|/g, '\\|')} |\n`);
} else for (const [f, n, r] of rows) process.stdout.write(`${r === 'as the selftest expects' ? 'PASS' : 'FAIL'} ${f}: ${n}${r === 'as the selftest expects' ? '' : `: ${r}`}\n`);
process.stdout.write(`${pass} of ${scenarios.length} scenarios as the selftests expect\n`);
process.exit(pass === scenarios.length ? 0 : 1);
