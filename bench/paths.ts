// The repository root, found from this file whether it runs as TypeScript (vitest, bench/) or
// compiled (dist/bench/): the nearest ancestor with a package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
