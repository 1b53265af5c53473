#!/usr/bin/env node
// Records what the host kernel does with the test programs listed in
// test/fixtures/kernel/cases.json, so ebpfvm's test runs can be diffed against the real thing.
// For each case: a fresh `bpftool prog loadall` (maps pinned too), optional map updates, one
// BPF_PROG_TEST_RUN (scripts/kernel-test-run.py, because bpftool cannot run syscall programs),
// then every map of the object dumped with `bpftool map dump -j`.
//
//   node scripts/record-kernel.mjs                 re-record every case into test/fixtures/kernel/
//   node scripts/record-kernel.mjs NAME...         only these cases
//   node scripts/record-kernel.mjs --out DIR       write the fixtures to DIR (the live comparison)
//
// Needs root, bpffs at /sys/fs/bpf, bpftool and python3. When any is missing it prints
// "record-kernel: skipped: <reason>" and exits 0, so CI without BPF passes; with --require it
// exits 3 instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const CASES = join(root, 'test/fixtures/kernel/cases.json');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outDir = outIdx >= 0 ? args[outIdx + 1] : join(root, 'test/fixtures/kernel');
const require_ = args.includes('--require');
const only = new Set(args.filter((a, i) => !a.startsWith('--') && (outIdx < 0 || i !== outIdx + 1)));

function skip(reason) {
  console.log(`record-kernel: skipped: ${reason}`);
  process.exit(require_ ? 3 : 0);
}

/** Why BPF test runs are impossible here, or undefined when they should work. */
export function unavailable() {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  if (!existsSync('/sys/fs/bpf')) return 'bpffs is not mounted at /sys/fs/bpf';
  for (const tool of ['bpftool', 'python3']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0 && spawnSync('which', [tool], { stdio: 'ignore' }).status !== 0) return `${tool} not found`;
  }
  // Root is not enough inside some containers (seccomp, no CAP_BPF): create and pin one map.
  const probe = `/sys/fs/bpf/ebpfvm-probe-${process.pid}`;
  const r = spawnSync('bpftool', ['map', 'create', probe, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'ebpfvm_probe'], { encoding: 'utf8' });
  rmSync(probe, { force: true });
  if (r.status !== 0) return `bpf() is not usable here: ${(r.stderr || '').trim().split('\n')[0] || `bpftool exited ${r.status}`}`;
  return undefined;
}

const hex = (arr) => arr.map((b) => b.replace(/^0x/, '')).join('');

function bpftool(...a) {
  return execFileSync('bpftool', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function kernelRelease() {
  return execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
}

/** Resolve "@name" packet references and plain hex. */
function bytesOf(v, packets) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v.startsWith('@')) {
    const p = packets[v.slice(1)];
    if (p === undefined) throw new Error(`unknown packet ${v}`);
    return p.replace(/\s+/g, '');
  }
  return String(v).replace(/\s+/g, '');
}

// Maps whose contents are not key/value data bpftool can dump or that hold kernel ids (fds of
// programs and maps, perf events): compared through the programs' results instead.
export const UNDUMPED_TYPES = new Set(['queue', 'stack', 'bloom_filter', 'ringbuf', 'perf_event_array', 'prog_array', 'array_of_maps', 'hash_of_maps', 'devmap', 'devmap_hash', 'cpumap', 'sk_storage', 'task_storage', 'stack_trace', 'user_ringbuf', 'sockmap', 'sockhash']);

/** The records of every ring buffer of the object as user space reads them (headers included:
 *  length, BUSY/DISCARD bits, page offset), without consuming them. */
function dumpRingbufs(mapDir) {
  const rings = {};
  if (!existsSync(mapDir)) return rings;
  for (const f of readdirSync(mapDir).sort()) {
    const p = join(mapDir, f);
    const info = JSON.parse(bpftool('map', 'show', 'pinned', p, '-j'));
    if (info.type !== 'ringbuf') continue;
    const r = spawnSync('python3', [join(root, 'scripts/kernel-ringbuf-dump.py'), p], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`kernel-ringbuf-dump.py failed: ${r.stderr}`);
    rings[info.name] = JSON.parse(r.stdout);
  }
  return rings;
}

function dumpMaps(mapDir) {
  const maps = {};
  if (!existsSync(mapDir)) return maps;
  for (const f of readdirSync(mapDir).sort()) {
    const p = join(mapDir, f);
    const info = JSON.parse(bpftool('map', 'show', 'pinned', p, '-j'));
    // .rodata and .kconfig cannot change; recording them adds nothing.
    if (info.name.endsWith('.rodata') || info.name.endsWith('.kconfig') || UNDUMPED_TYPES.has(info.type)) continue;
    const entries = JSON.parse(bpftool('map', 'dump', 'pinned', p, '-j'));
    maps[info.name] = {
      type: info.type,
      entries: entries.map((e) => ({
        key: hex(e.key),
        ...(e.value ? { value: hex(e.value) } : {}),
        ...(e.values ? { values: e.values.map((v) => hex(v.value)) } : {}),
      })),
    };
  }
  return maps;
}

/** The useful part of a failed `bpftool prog loadall`: which program the verifier refused and
 *  the verifier's last complaint (the log line before "processed N insns"). */
function loadError(stderr) {
  const lines = stderr.split('\n');
  const failed = lines.map((l) => /^libbpf: prog '([^']+)': BPF program load failed: (.*)$/.exec(l)).find(Boolean);
  const end = lines.findIndex((l) => /processed \d+ insns/.test(l));
  // a complaint without its newline runs into the summary ("... for tail callprocessed 3 insns")
  const glued = end >= 0 ? lines[end].slice(0, lines[end].search(/processed \d+ insns/)).trim() : '';
  const why = glued || (end > 0 ? lines[end - 1].trim() : undefined);
  if (failed) return `prog ${failed[1]}: ${why ?? failed[2]} (${failed[2]})`;
  return lines.filter((l) => l.trim() && !/^Warning:|^If it used to work/.test(l)).slice(-2).join('\n');
}

function recordCase(c, packets, pinRoot, kernel) {
  const dir = join(pinRoot, c.name);
  const mapDir = join(dir, 'maps');
  const obj = join(root, c.object);
  const base = { name: c.name, kernel, object: c.object, prog: c.prog };
  try {
    bpftool('prog', 'loadall', obj, dir, 'pinmaps', mapDir);
  } catch (e) {
    return { ...base, load_error: loadError(String(e.stderr || e.message)) };
  }
  try {
    for (const [name, entries] of Object.entries(c.maps ?? {})) {
      const p = join(mapDir, name.replace(/\./g, '_'));
      for (const { key, value } of entries) {
        bpftool('map', 'update', 'pinned', p, 'key', 'hex', ...key.match(/../g), 'value', 'hex', ...value.match(/../g));
      }
    }
    // `user_ringbuf`: samples user space produces into a user ring buffer before the run
    for (const [name, samples] of Object.entries(c.user_ringbuf ?? {})) {
      const p = join(mapDir, name.replace(/\./g, '_'));
      const info = JSON.parse(bpftool('map', 'show', 'pinned', p, '-j'));
      const r = spawnSync('python3', [join(root, 'scripts/kernel-user-ringbuf-produce.py'), p, JSON.stringify(samples), String(info.max_entries)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`kernel-user-ringbuf-produce.py failed: ${r.stderr}`);
    }
    const result = runOnce(c, c, dir, packets);
    // `then`: more runs on the same loaded object (maps and globals carry over between runs).
    const then = (c.then ?? []).map((t) => runOnce(c, { ...t, prog: t.prog ?? c.prog }, dir, packets));
    const ringbufs = dumpRingbufs(mapDir);
    return { ...base, result, ...(then.length ? { then_results: then } : {}), maps: dumpMaps(mapDir), ...(Object.keys(ringbufs).length ? { ringbufs } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One BPF_PROG_TEST_RUN of `run` (prog, data, ctx, repeat) of case `c` (kind). */
function runOnce(c, run, dir, packets) {
  // syscall and raw_tp programs: no data, no repeat, no ctx_out (the kernel refuses them).
  const syscall = c.kind === 'syscall' || c.kind === 'raw_tp';
  const req = {
    pin: join(dir, run.prog),
    data: bytesOf(run.data, packets) ?? null,
    ctx: bytesOf(run.ctx, packets) ?? null,
    // The kernel refuses any repeat for syscall programs; ebpfvm runs them once then.
    repeat: syscall ? 0 : run.repeat ?? 1,
    syscall,
  };
  const r = spawnSync('python3', [join(root, 'scripts/kernel-test-run.py')], { input: JSON.stringify(req), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kernel-test-run.py failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout);
  return res.errno ? { errno: res.errno } : { retval: res.retval, data_out: res.data_out, ctx_out: c.kind === 'raw_tp' ? null : res.ctx_out };
}

function main() {
  const why = unavailable();
  if (why) skip(why);
  const { packets = {}, cases } = JSON.parse(readFileSync(CASES, 'utf8'));
  const pinRoot = `/sys/fs/bpf/ebpfvm-record-${process.pid}`;
  try {
    mkdirSync(pinRoot);
  } catch (e) {
    skip(`cannot create ${pinRoot}: ${e.message}`);
  }
  const kernel = kernelRelease();
  mkdirSync(outDir, { recursive: true });
  let n = 0;
  try {
    for (const c of cases) {
      if (only.size && !only.has(c.name)) continue;
      const rec = recordCase(c, packets, pinRoot, kernel);
      writeFileSync(join(outDir, `${c.name}.json`), JSON.stringify(rec, null, 2) + '\n');
      const what = rec.load_error ? `load failed: ${rec.load_error}` : rec.result.errno ? `-${rec.result.errno}` : `retval ${rec.result.retval}`;
      console.log(`recorded ${c.name}: ${what}`);
      n++;
    }
  } finally {
    rmSync(pinRoot, { recursive: true, force: true });
  }
  console.log(`record-kernel: ${n} case(s) recorded on ${kernel} into ${outDir}`);
}

main();
