// Shared by the two package bins (bin-ebpfvm.ts, bin-conformance.ts): which entry to import.
import { statSync } from 'node:fs';

/** The bundle `dist/src/cli/bundle/<file>` when it was built after `launcher` (so after the last
 *  `tsc`), else `fallback`: a bare `tsc` never leaves a stale bundle in use. */
export function entryFor(launcher: string, file: string, fallback: string): string {
  const bundle = new URL(`./bundle/${file}`, launcher);
  try {
    if (statSync(bundle).mtimeMs >= statSync(new URL(launcher)).mtimeMs) return bundle.href;
  } catch {
    // no bundle (npm run build not run): the unbundled entry
  }
  return new URL(fallback, launcher).href;
}
