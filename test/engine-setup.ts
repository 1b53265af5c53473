// EBPFVM_ENGINE=interpreter npx vitest run test/vm ... runs existing tests with the interpreter (or
// =compiled, the default, with the compiling tier) as the default engine of every Interpreter (and so every Runtime) the tests create, so each
// hand-written ISA, helper and program test also checks the compiler against its expectations.
import { ENGINES, setDefaultEngine, type Engine } from '../vm/interpreter.js';

const e = process.env.EBPFVM_ENGINE;
if (e !== undefined && e !== '') {
  if (!ENGINES.includes(e as Engine)) throw new Error(`EBPFVM_ENGINE=${e}: expected one of ${ENGINES.join(', ')}`);
  setDefaultEngine(e as Engine);
}
