#!/usr/bin/env node
// The `ebpfvm` executable (package.json "bin"). Start-up is mostly module loading (issue 15), so
// `npm run build` also bundles the CLI into a few files under dist/src/cli/bundle/
// (scripts/bundle-cli.mjs, one chunk per command); this launcher runs that bundle when it was built after this file, i.e.
// after the last `tsc`, and the unbundled dist/src/cli/main.js otherwise, so a bare `tsc` never
// leaves a stale bundle in use. Both run the same main().
import { entryFor } from './fresh-bundle.js';

const cli = (await import(entryFor(import.meta.url, 'ebpfvm.js', './main.js'))) as typeof import('./main.js');
cli.main(process.argv.slice(2)).then(cli.exitWhenFlushed);
