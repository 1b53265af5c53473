// --engine, shared by run, run-raw, bench and test (the conformance plugin parses its own argv).
import { UsageError } from '../errors.js';
import { ENGINES, type Engine } from '../../vm/interpreter.js';

export const ENGINE_HELP = `execution engine: compiled (the default: JavaScript generated per program on its first run) or interpreter (same results)`;

export function parseEngine(v: string): Engine {
  if (!ENGINES.includes(v as Engine)) throw new UsageError(`--engine: '${v}' is not an engine (available: ${ENGINES.join(', ')})`);
  return v as Engine;
}
