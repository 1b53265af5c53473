// Shared by the x_ program tests: load a committed object into a fresh runtime, test-run a
// program, read its .bss res[] array.
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { testRun, type TestRunInput } from '../../src/test-run-api.js';
import { loadProg } from '../run/helpers.js';

export function xprog(file: string, opts: RuntimeOptions = {}) {
  const runtime = new Runtime(opts);
  const obj = loadProg(file, runtime);
  const run = (prog: string, input: TestRunInput = {}) => testRun(runtime, obj.program(prog).program, input);
  const res = (n: number) => {
    const name = [...obj.maps.keys()].find((k) => k.endsWith('.bss'))!;
    const v = obj.map(name).lookup(new Uint8Array(4))!;
    const dv = new DataView(v.buffer, v.byteOffset);
    return Array.from({ length: n }, (_, i) => Number(dv.getBigInt64(i * 8, true)));
  };
  return { runtime, obj, run, res };
}
