// EBPFVM_ENGINE=interpreter npx vitest run test/vm ... runs existing tests with the interpreter (or
// =compiled, the default, with the compiling tier) as the default engine of every Interpreter (and so every Runtime) the tests create, so each
// hand-written ISA, helper and program test also checks the compiler against its expectations.
import { ENGINES, setDefaultEngine, type Engine } from '../vm/interpreter.js';
import { Arena } from '../vm/memory.js';

const e = process.env.EBPFVM_ENGINE;
if (e !== undefined && e !== '') {
  if (!ENGINES.includes(e as Engine)) throw new Error(`EBPFVM_ENGINE=${e}: expected one of ${ENGINES.join(', ')}`);
  setDefaultEngine(e as Engine);
}

// EBPFVM_ARENA_RELOCATE=1 moves every arena to a fresh buffer at every allocation and detaches the
// old one (Arena.relocateOnEveryAlloc), so code that keeps an arena view across something that
// may allocate fails its tests instead of writing to a stale buffer.
if (process.env.EBPFVM_ARENA_RELOCATE === '1') Arena.relocateOnEveryAlloc = true;
