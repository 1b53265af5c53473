#!/usr/bin/env node
// The `ebpfvm-conformance` executable (package.json "bin"): runs the bundled plugin from
// dist/src/cli/bundle/ when it was built after the last `tsc` (see bin-ebpfvm.ts), else conformance.js.
import { statSync } from 'node:fs';

const bundle = new URL('./bundle/ebpfvm-conformance.js', import.meta.url);
const fresh = (() => {
  try {
    return statSync(bundle).mtimeMs >= statSync(new URL(import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
})();
const plugin = (await import(fresh ? bundle.href : './conformance.js')) as typeof import('./conformance.js');
plugin.pluginMain();
