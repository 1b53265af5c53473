#!/usr/bin/env node
// The `ebpfvm` executable (package.json "bin"): the bundled CLI with the code cache when the
// bundle is fresh, else dist/src/cli/main.js (launch.cts). Both run the same main().
import { launch } from './launch.cjs';

// the code cache is kept per command (launch.cts)
launch<typeof import('./main.js')>(__filename, 'ebpfvm.cjs', 'main.js', process.argv[2] ?? '', (cli) => {
  cli.runProcess(process.argv.slice(2));
});
