// DESIGN section 2: the core (vm/, maps/, helpers/, verifier/, the ELF/BTF/loader stages) imports
// no Node built-ins, so it can run in a browser; file and process I/O live in the CLI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CORE = ['vm', 'maps', 'helpers', 'verifier', 'src/elf', 'src/btf', 'src/loader'];
const CORE_FILES = ['src/loader.ts', 'src/runtime.ts', 'src/errors.ts'];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function tsFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return [];
  }
  if (st.isFile()) return dir.endsWith('.ts') ? [dir] : [];
  return readdirSync(dir).flatMap((e) => tsFiles(join(dir, e)));
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return out;
}

describe('import layering', () => {
  it('the import scanner sees every form', () => {
    const src = `import { a } from 'node:fs';\nimport type { B } from "path";\nexport * from './x.js';\nimport 'os';\nconst m = await import('node:crypto');\n`;
    expect(importsOf(src)).toEqual(['node:fs', 'path', './x.js', 'os', 'node:crypto']);
  });
  const files = [...CORE.flatMap((d) => tsFiles(join(ROOT, d))), ...CORE_FILES.flatMap((f) => tsFiles(join(ROOT, f)))];
  it('finds the core files', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  it('no core file imports a Node built-in', () => {
    const offenders: string[] = [];
    for (const f of files) {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        if (BUILTINS.has(spec) || spec.startsWith('node:')) offenders.push(`${relative(ROOT, f)} imports '${spec}'`);
      }
    }
    expect(offenders).toEqual([]);
  });
  it('nothing reachable from the browser entry (src/browser.ts, the playground\'s) imports a Node built-in or ./node.js', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // Node's globals fail in a page as surely as its modules (comments aside).
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const g of code.match(/\b(?:Buffer|process)\.[A-Za-z]+/g) ?? []) offenders.push(`${relative(ROOT, file)} uses ${g}`);
      for (const spec of importsOf(source)) {
        if (BUILTINS.has(spec) || spec.startsWith('node:')) offenders.push(`${relative(ROOT, file)} imports '${spec}'`);
        else if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
          if (relative(ROOT, target) === join('src', 'node.ts')) offenders.push(`${relative(ROOT, file)} imports ./node.js`);
          walk(target);
        }
      }
    };
    walk(join(ROOT, 'src/browser.ts'));
    expect(seen.size).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
