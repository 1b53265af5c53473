#!/usr/bin/env node
// The `ebpfvm-conformance` executable (package.json "bin"): the bundled plugin with the code cache
// when the bundle is fresh, else dist/src/cli/conformance.js (launch.cts).
import { launch } from './launch.cjs';

launch<typeof import('./conformance.js')>(__filename, 'ebpfvm-conformance.cjs', 'conformance.js', 'plugin', (plugin) => {
  plugin.pluginMain();
});
