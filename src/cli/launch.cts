// The package bins' shared start (bin-ebpfvm.cts, bin-conformance.cts; issue 15, start-up). The
// bins and this file are CommonJS: a CommonJS main module starts without Node's ESM loader, ~20 ms
// of CPU of a plain `ebpfvm run` at the time of writing.
//
// `npm run build` bundles the CLI into a few CommonJS files under dist/src/cli/bundle/
// (scripts/bundle-cli.mjs, one chunk per command). launch() requires that bundle when it was
// built after the bin (so after the last `tsc`), else imports the unbundled ESM entry, so a bare
// `tsc` never leaves a stale bundle in use; both run the same code.
//
// The bundle is loaded with a V8 code cache. Node 20 has no module compile cache
// (module.enableCompileCache is 22.1+), and compiling the bundle's chunks was about a quarter of a
// plain `ebpfvm run`'s CPU time. Each chunk is loaded here (requireBundle) and compiled as Node
// compiles a CommonJS file (the same wrapper and arguments), but through vm.Script with the cached
// data of an earlier run; a chunk that had none, or whose data V8 rejected (another Node version or V8
// flags), gets fresh data written when the process exits, after the command ran, so the data
// covers the functions it compiled lazily.
//
// Cache files live in `<bundle>/v8-cache/<variant>/` (removed with the bundle when it is rebuilt),
// or in `$EBPFVM_CODE_CACHE/<variant>/` when that is set; EBPFVM_CODE_CACHE=0 turns the cache off.
// The variant is the command (`run`, `verify`, ...; the plugin has one): commands share chunks but
// call different functions of them, and data made by one start is never rewritten once accepted,
// so each command keeps data that covers what it compiles (a shared file made by `run` left the
// plugin compiling the interpreter's loop on every start). A file's name holds the
// chunk's name, size and modification time and the Node version, so a rebuilt chunk never meets
// data made for another (V8 itself checks only the source's length). Every failure (no such
// file, unreadable, unwritable directory, a write interrupted by another process) falls back to a
// plain compile: the cache can make a start faster, never make it fail.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type ModuleClass from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

type Module = ModuleClass;
type Wrapped = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => unknown;

// Node's Module class is the constructor of this file's own `module`: the public node:module is
// compiled on its first require, and with its default-import helper that showed as ~0.7 ms of a
// `--cpu-prof` of a plain `run` (a few tenths of a ms without the profiler).
const Module = module.constructor as typeof ModuleClass;

/** Start a bin: `run` gets the bundle's `file` (required with the code cache of `variant`) when
 *  the bundle is fresh, else the unbundled ESM module `fallback` (relative to the bin). */
export function launch<M>(bin: string, file: string, fallback: string, variant: string, run: (m: M) => void): void {
  const dir = join(dirname(bin), 'bundle');
  let fresh = false;
  try {
    fresh = statSync(join(dir, file)).mtimeMs >= statSync(bin).mtimeMs;
  } catch {
    // no bundle (npm run build not run): the unbundled entry
  }
  if (fresh) run(requireBundle(dir, file, variant) as M);
  else
    // a failed import is an unhandled rejection: Node prints it and exits 1
    void import((require('node:url') as typeof import('node:url')).pathToFileURL(join(dirname(bin), fallback)).href).then((m: M) => run(m));
}

/** `require(entry)` for a file of the bundle directory `dir`, with every chunk of `dir` compiled
 *  through the code cache of `variant` (a plain name: anything else shares one cache).
 *
 *  The chunks are loaded here rather than through Node's require: they name each other only as
 *  `require("./<chunk>.cjs")` (test/cli/startup.test.ts checks that), and Node's loader spends
 *  more on each such require (resolving, stat and realpath of every path, package.json scopes, a
 *  createRequire per chunk) than reading and deserializing the chunk takes. A chunk gets the same
 *  wrapper arguments as from Node (a Module of its own, its filename and directory); anything else
 *  it requires (Node's built-ins) goes to Node's require. */
export function requireBundle(dir: string, entry: string, variant: string): unknown {
  const setting = process.env['EBPFVM_CODE_CACHE'];
  const name = /^[a-z][a-z0-9-]{0,31}$/.test(variant) ? variant : '_';
  const cacheDir = setting === '0' ? undefined : join(setting || join(dir, 'v8-cache'), name);
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const nodeRequire = Module.createRequire(join(prefix, entry));
  const stale: [Script, string][] = [];
  const loaded = new Map<string, Module>();
  // (resolve, cache and main as a require of the entry has them: every chunk is in one directory)
  const chunkRequire: NodeJS.Require = Object.assign((id: string): unknown => (/^\.\/[^/]+\.cjs$/.test(id) ? load(prefix + id.slice(2)) : nodeRequire(id)), {
    resolve: nodeRequire.resolve,
    cache: nodeRequire.cache,
    extensions: nodeRequire.extensions,
    main: nodeRequire.main,
  });
  const load = (filename: string): unknown => {
    const known = loaded.get(filename);
    if (known !== undefined) return known.exports; // (a cycle gets the exports so far, as in Node)
    const content = readFileSync(filename, 'utf8');
    let file: string | undefined;
    let cachedData: Buffer | undefined;
    if (cacheDir !== undefined) {
      try {
        const st = statSync(filename);
        file = join(cacheDir, `${basename(filename)}-${st.size}-${Math.round(st.mtimeMs)}-${process.version}.v8`);
        cachedData = readFileSync(file);
      } catch {
        // no data yet (or no stat): compile and write it at exit
      }
    }
    // Node strips a leading #! line itself; inside the wrapper it has to be a comment.
    const source = content.startsWith('#!') ? `//${content}` : content;
    const script = new Script(Module.wrap(source), cachedData ? { filename, cachedData } : { filename });
    if (file !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) stale.push([script, file]);
    const module = new Module(filename);
    module.filename = filename;
    loaded.set(filename, module);
    const fn = script.runInThisContext() as Wrapped;
    fn.call(module.exports, module.exports, chunkRequire, module, filename, dirname(filename));
    module.loaded = true;
    return module.exports;
  };
  process.once('exit', () => {
    for (const [script, file] of stale) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, file); // atomic: a concurrent start reads the old file or the new one
      } catch {
        // unwritable: the next start compiles again
      }
    }
  });
  return load(prefix + entry);
}
