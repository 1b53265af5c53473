// Issue 15, start-up: a command loads only the modules it needs. Start-up time of `ebpfvm run`
// and of the conformance plugin is mostly module loading, so these tests walk the static import
// graph of the sources (what Node loads before any code runs) rather than timing a process,
// which on a shared machine would be flaky.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from '../../src/cli/commands/index.js';

const ROOT = join(import.meta.dirname, '../..');

/** Relative specifiers a module imports for its value at load time: static imports and re-exports,
 *  not `import type` / `export type` (erased) and not dynamic `import()` (loaded when run). */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) if (!m[2] && m[3]!.startsWith('.')) out.push(m[3]!);
  return out;
}

/** Every source file (relative to the repository) that loading `file` loads. */
function graph(file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (abs: string): void => {
    const rel = relative(ROOT, abs);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const spec of staticImports(readFileSync(abs, 'utf8'))) {
      const target = resolve(dirname(abs), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${rel}: import '${spec}' resolves to no .ts file`);
      visit(target);
    }
  };
  visit(join(ROOT, file));
  return seen;
}

const matching = (g: Set<string>, re: RegExp) => [...g].filter((f) => re.test(f)).sort();

describe('start-up: each command loads only what it needs', () => {
  it('the import scanner keeps value imports and drops type-only and dynamic ones', () => {
    const src = `import { a } from './a.js';\nimport type { B } from './b.js';\nexport { c } from './c.js';\nexport type { D } from './d.js';\nimport './e.js';\nimport {\n  f,\n  type G,\n} from './f.js';\nconst h = await import('./h.js');\nimport { x } from 'commander';\n`;
    expect(staticImports(src)).toEqual(['./a.js', './c.js', './e.js', './f.js']);
  });

  it('the CLI entry loads no command and none of the VM', () => {
    const g = graph('src/cli/main.ts');
    expect(matching(g, /^src\/cli\/commands\/(?!index\.ts)/)).toEqual([]);
    expect(matching(g, /^(vm|verifier|maps|helpers)\/|^src\/(loader|btf|elf|selftest)\/|^src\/runtime\.ts/)).toEqual([]);
    expect(g.size).toBeLessThanOrEqual(5);
  });

  // src/selftest/annotations.ts stays: the loader reads a program's test annotations to skip
  // auxiliary programs (isAuxiliary), and parsing them compiles their {{...}} patterns (ere.ts:
  // a pattern that does not compile makes the tags unparsable, as in test_loader).
  it('`run` loads neither the other commands nor the assembler, selftest runner or BTF formatter', () => {
    const g = graph('src/cli/commands/run.ts');
    expect(g.has('vm/interpreter.ts') && g.has('src/runtime.ts')).toBe(true); // the walk works
    expect(matching(g, /^src\/cli\/commands\/(?!run\.ts|index\.ts)/)).toEqual([]);
    expect(matching(g, /^vm\/asm|^src\/selftest\/(?!annotations\.ts|ere\.ts)|^src\/btf\/(format|format-raw|vmlinux-header)\.ts|^src\/loader\/(describe|listing)\.ts/)).toEqual([]);
  });

  it('the conformance plugin loads the interpreter without maps, Linux helpers, verifier, loader or BTF', () => {
    const g = graph('src/cli/conformance.ts');
    expect(g.has('vm/interpreter.ts')).toBe(true);
    expect(matching(g, /^(verifier|maps|helpers)\/|^src\/(loader|btf|elf|selftest|cli\/commands)\/|^src\/runtime\.ts|commander/)).toEqual([]);
  });

  it('every table entry loads the command of its name, and an unknown or missing name loads all', async () => {
    for (const [name, load] of COMMANDS) {
      const program = new Command('ebpfvm');
      (await load())(program, () => {});
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
    expect(await commandsFor(['run', 'x.o'])).toHaveLength(1);
    for (const argv of [[], ['--help'], ['help', 'run'], ['rn']]) expect(await commandsFor(argv)).toHaveLength(COMMANDS.size);
  });
});

// The bundle of `npm run build` (scripts/bundle-cli.mjs) is what the package's bins run when it is
// fresh: it must behave as the unbundled build and load nothing from outside itself but Node's
// built-ins (a chunk that reached back into dist/ would load the unbundled module graph again).
describe('start-up: the bundled CLI', () => {
  const node = (args: string[], input = '') => spawnSync(process.execPath, args, { cwd: ROOT, input, encoding: 'utf8' });
  const RUN = ['run', 'test/progs/smoke_array.o', '--prog', 'prog', '--dump-maps'];
  const MOV42_EXIT = 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00';
  const strip = (s: string) => s.replace(/duration: \d+ns/g, 'duration: Nns');

  it('runs `run` and the conformance plugin as the unbundled build does, importing only built-ins and its own chunks', () => {
    const out = mkdtempSync(join(tmpdir(), 'ebpfvm-bundle-'));
    try {
      const b = node(['scripts/bundle-cli.mjs', '--out', out]);
      expect(b.stderr).toBe('');
      expect(b.status).toBe(0);
      for (const f of readdirSync(out)) {
        // block comments dropped: commander's JSDoc names `import("./argument.js")` types
        const src = readFileSync(join(out, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
        // CommonJS chunks (launch.cts loads them with a code cache): require() only, no import
        const specs = [...src.matchAll(/(?:^|[\s;(])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2] ?? m[3])!);
        // (rolldown's import.meta.url for CommonJS is require("url").pathToFileURL(__filename))
        expect(specs.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !/^\.\/[^/]+\.cjs$/.test(s)), f).toEqual([]);
      }
      const bundled = node([join(out, 'ebpfvm.cjs'), ...RUN]);
      const plain = node(['dist/src/cli/main.js', ...RUN]);
      expect(plain.status).toBe(0);
      expect([bundled.status, strip(bundled.stdout), bundled.stderr]).toEqual([plain.status, strip(plain.stdout), plain.stderr]);
      const plugin = node([join(out, 'ebpfvm-conformance.cjs')], MOV42_EXIT);
      expect([plugin.status, plugin.stdout, plugin.stderr]).toEqual([0, '2a\n', '']);
      const bad = node([join(out, 'ebpfvm.cjs'), 'run', 'no-such.o']);
      const badPlain = node(['dist/src/cli/main.js', 'run', 'no-such.o']);
      expect(badPlain.status).not.toBe(0);
      expect([bad.status, bad.stderr]).toEqual([badPlain.status, badPlain.stderr]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('the package bins run (bundle when fresh, else the unbundled entry)', () => {
    const r = node(['dist/src/cli/bin-ebpfvm.cjs', ...RUN]);
    expect([r.status, strip(r.stdout)]).toEqual([0, strip(node(['dist/src/cli/main.js', ...RUN]).stdout)]);
    expect(node(['dist/src/cli/bin-conformance.cjs'], MOV42_EXIT).stdout).toBe('2a\n');
  });

  it('the code cache: written on the first start, used by the next, ignored when stale, corrupt or unwritable', () => {
    // launch.cts's requireBundle on a bundle of our own: a copy of the CLI bundle, run three times
    const out = mkdtempSync(join(tmpdir(), 'ebpfvm-cc-'));
    const cache = join(out, 'cache');
    try {
      expect(node(['scripts/bundle-cli.mjs', '--out', join(out, 'bundle')]).status).toBe(0);
      // a launcher as the bins are, on that bundle, reporting whether V8 accepted cached data
      const launcher = join(out, 'launch.cjs');
      writeFileSync(
        launcher,
        `const vm = require('node:vm');\nconst Script = vm.Script;\nlet used = 0, made = 0;\n` +
          `vm.Script = class extends Script { constructor(src, o) { super(src, o); if (o && o.cachedData) { if (this.cachedDataRejected) made++; else used++; } else made++; } };\n` +
          `const { requireBundle } = require(${JSON.stringify(join(ROOT, 'dist/src/cli/launch.cjs'))});\n` +
          `const cli = requireBundle(${JSON.stringify(join(out, 'bundle'))}, 'ebpfvm.cjs', 'run');\n` +
          `process.on('exit', () => process.stderr.write('code-cache used=' + used + ' compiled=' + made + '\\n'));\n` +
          `cli.main(process.argv.slice(2)).then(cli.exitWhenFlushed);\n`,
      );
      const start = (env: Record<string, string> = {}) =>
        spawnSync(process.execPath, [launcher, ...RUN], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EBPFVM_CODE_CACHE: cache, ...env } });
      const plain = node(['dist/src/cli/main.js', ...RUN]);
      const counts = (r: ReturnType<typeof start>) => /code-cache used=(\d+) compiled=(\d+)/.exec(r.stderr)!.slice(1).map(Number);
      const first = start();
      expect([first.status, strip(first.stdout)]).toEqual([0, strip(plain.stdout)]);
      const [used1, made1] = counts(first);
      expect(used1).toBe(0);
      expect(made1).toBeGreaterThan(3);
      expect(readdirSync(cache)).toEqual(['run']); // one cache per command
      expect(readdirSync(join(cache, 'run'))).toHaveLength(made1);
      const second = start();
      expect([second.status, strip(second.stdout)]).toEqual([0, strip(plain.stdout)]);
      expect(counts(second)).toEqual([made1, 0]);
      // corrupt data: V8 rejects it, the chunk compiles from source and the data is rewritten
      for (const f of readdirSync(join(cache, 'run'))) writeFileSync(join(cache, 'run', f), Buffer.from('not V8 code cache data'));
      const corrupt = start();
      expect([corrupt.status, strip(corrupt.stdout)]).toEqual([0, strip(plain.stdout)]);
      expect(counts(corrupt)).toEqual([0, made1]);
      expect(counts(start())).toEqual([made1, 0]);
      // a rebuilt chunk (another modification time) never meets the old data
      const entry = join(out, 'bundle', 'ebpfvm.cjs');
      utimesSync(entry, new Date(), new Date(Date.now() + 5000));
      expect(counts(start())).toEqual([made1 - 1, 1]);
      // no cache directory can be made (a file is in the way), or the cache is off: plain compiles
      for (const env of [{ EBPFVM_CODE_CACHE: join(launcher, 'sub') }, { EBPFVM_CODE_CACHE: '0' }]) {
        const r = start(env);
        expect([r.status, strip(r.stdout), counts(r)[0]]).toEqual([0, strip(plain.stdout), 0]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
