#!/usr/bin/env node
// Bundles the tsc output of the CLI and the conformance plugin into dist/src/cli/bundle/
// (issue 15, start-up): `ebpfvm run` loads ~115 modules from dist/src, and Node's ESM loader spends more time
// resolving, reading and linking them than the run itself takes. rolldown (vite's bundler, already
// installed with vite) keeps each dynamic import a chunk of its own, so a command still loads only
// its own code. The output is CommonJS (.cjs), so that the launchers (src/cli/bin-*.cts and
// launch.cts, package.json "bin") can compile each chunk with a V8 code cache; they use the bundle
// only when it is newer than the last tsc build. Run by `npm run build`; needs `npx tsc -p .` first.
//
//   node scripts/bundle-cli.mjs [--out DIR]   (default dist/src/cli/bundle; tests bundle elsewhere)
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Beside the unbundled CLI, so a URL relative to a chunk (`test --jobs`'s '../test-worker.js')
// still names the unbundled file.
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? resolve(process.argv[outAt + 1] ?? '') : join(root, 'dist/src/cli/bundle');
rmSync(out, { recursive: true, force: true });
await build({
  input: {
    ebpfvm: join(root, 'dist/src/cli/main.js'),
    'ebpfvm-conformance': join(root, 'dist/src/cli/conformance.js'),
  },
  platform: 'node',
  // Built-ins stay imports; npm dependencies (commander, elfy) are bundled like our own code.
  external: (id, importer) => id.startsWith('node:') && !isCommanderChildProcess(id, importer) && !isElfyAssert(id, importer),
  plugins: [lazyChildProcess(), lazyElfyAssert()],
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'cjs',
    // The sources are ES modules, which are strict; a CommonJS chunk is strict only if it says so.
    strict: true,
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    // Every start reads, decodes and hashes each chunk it loads and keeps it as a string on the
    // heap: without comments and whitespace the chunks are ~30% smaller (about 1 ms of CPU of a
    // plain `run`). The code itself is unchanged (no renaming, no compression), so names in stack
    // traces are the source's; for readable line numbers run dist/src/cli/main.js.
    comments: false,
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  },
});

/** commander requires node:child_process at load, which pulls in net, dgram and streams (~10 ms of
 *  CPU, ~20 ms of wall time at start-up on the development machine), for one use: running
 *  `git-style` executable subcommands, which ebpfvm has none of. Its require is given a stand-in
 *  that loads the real module on first property access, so behaviour is unchanged. */
function isCommanderChildProcess(id, importer) {
  return id === 'node:child_process' && !!importer && /[\\/]node_modules[\\/]commander[\\/]/.test(importer);
}

function lazyChildProcess() {
  const ID = '\0lazy-child-process';
  return {
    name: 'ebpfvm-lazy-child-process',
    resolveId(source, importer) {
      return isCommanderChildProcess(source, importer) ? ID : null;
    },
    load(id) {
      if (id !== ID) return null;
      return "module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule('node:child_process')[key] });";
    },
  };
}

/** elfy requires node:assert at load (with it assertion_error and util's colors: ~2-5 ms of a
 *  start) for one check per parse, `assert.equal(strtab.type, 'strtab')`, which src/elf/file.ts
 *  has already made before elfy runs. Its require gets a stand-in that does the comparison itself
 *  and calls the real node:assert only when a check fails (so a failure throws the real
 *  AssertionError with its message) or for anything else it is asked for. */
function isElfyAssert(id, importer) {
  return (id === 'assert' || id === 'node:assert') && !!importer && /[\\/]node_modules[\\/]elfy[\\/]/.test(importer);
}

function lazyElfyAssert() {
  const ID = '\0lazy-elfy-assert';
  return {
    name: 'ebpfvm-lazy-elfy-assert',
    resolveId(source, importer) {
      return isElfyAssert(source, importer) ? ID : null;
    },
    load(id) {
      if (id !== ID) return null;
      return [
        "const real = () => process.getBuiltinModule('node:assert');",
        'function assert(value, message) { if (!value) real()(value, message); }',
        // assert.equal is ==, NaN equal to itself: the real one decides whenever == says no
        'assert.equal = (actual, expected, message) => { if (actual != expected) real().equal(actual, expected, message); };',
        'module.exports = new Proxy(assert, { get: (t, key) => (key in t ? t[key] : real()[key]) });',
      ].join('\n');
    },
  };
}
