// Every module of the package can be the first one a program imports. A module that imports a
// module that imports it back (an import cycle) is evaluated half-way when the other is imported
// first, and a top-level read of one of its exports fails ("Cannot access 'TRACING_HELPERS'
// before initialization": importing dist/helpers/tracing.js first did, through helpers/table.js
// -> the built-in BTF -> helpers/table.js). Without cycles that cannot happen; so this reads the
// value-import graph of what runs (dist/, type imports erased), allows cycles only inside one
// folder (one stage, DESIGN's layout), and imports each module of every remaining cycle, and the
// modules that failed, first, each in a fresh process.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const STAGES = ['src', 'vm', 'maps', 'helpers', 'verifier'];

function jsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

/** Relative value imports and re-exports of an emitted module (tsc erased the type-only ones). */
function valueImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*'(\.[^']+)'|^import\s*'(\.[^']+)'/gm)) out.push(resolve(dirname(file), (m[1] ?? m[2])!));
  return out;
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const files = STAGES.flatMap((d) => jsFiles(join(DIST, d))).filter((f) => !f.includes(`${join(DIST, 'src', 'cli')}`));
const graph = new Map(files.map((f) => [f, valueImports(f)]));
const found = cycles(graph);
const rel = (f: string) => relative(DIST, f);

/** Import `file` as the first module of a fresh Node process: '' or the error. */
function importFirst(file: string): string {
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e).split('\n').find((l) => /Error/.test(l)) ?? String(e);
  }
}

describe('import order', () => {
  it('reads the emitted modules (dist/ is built)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(join(DIST, 'helpers/table.js'))).toContain(join(DIST, 'helpers/tracing.js'));
  });

  it('no import cycle crosses a folder (helpers/ and the built-in BTF generated from them did)', () => {
    const crossing = found.filter((c) => new Set(c.map((f) => dirname(rel(f)))).size > 1).map((c) => c.map(rel).join(' -> '));
    expect(crossing).toEqual([]);
  });

  it('each module of a remaining cycle, and the modules that failed, can be imported first', () => {
    const first = new Set([...found.flat(), ...['helpers/tracing.js', 'helpers/probe.js', 'helpers/stack.js', 'helpers/tcp-ca-kfuncs.js', 'src/btf/builtin.js', 'src/verify.js'].map((f) => join(DIST, f))]);
    const failed = [...first].map((f) => [rel(f), importFirst(f)] as const).filter(([, err]) => err !== '');
    expect(failed).toEqual([]);
  }, 120_000);
});
