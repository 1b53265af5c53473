#!/usr/bin/env node
// The `ebpfvm-conformance` executable (package.json "bin"): runs the bundled plugin from
// dist/src/cli/bundle/ when it was built after the last `tsc` (see bin-ebpfvm.ts), else conformance.js.
import { entryFor } from './fresh-bundle.js';

const plugin = (await import(entryFor(import.meta.url, 'ebpfvm-conformance.js', './conformance.js'))) as typeof import('./conformance.js');
plugin.pluginMain();
