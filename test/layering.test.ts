// DESIGN section 2: the core (vm/, maps/, helpers/, verifier/, the ELF/BTF/loader stages) imports
// no Node built-ins, so it can run in a browser; file and process I/O live in the CLI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
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
});
