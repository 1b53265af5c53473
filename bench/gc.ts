// A garbage collector to call before heap measurements. `node --expose-gc` is not needed: V8's
// flag can be set at run time and a fresh context then exposes `gc`, which this installs on
// globalThis (bench/rbtree.ts's bytesPerNode looks for it there).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export function ensureGc(): () => void {
  const g = globalThis as { gc?: () => void };
  if (!g.gc) {
    v8.setFlagsFromString('--expose-gc');
    g.gc = runInNewContext('gc') as () => void;
  }
  return g.gc!;
}
