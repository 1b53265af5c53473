// The browser-safe entry (the playground's, playground/): the core API of ./index.ts without the
// Node file layer (./node.js), plus the text the CLI prints (listings, verdict and result lines,
// hex dumps, error lines), so a page words things exactly as `ebpfvm` does. Nothing reachable from
// here imports a node: module; test/layering.test.ts walks this file's import graph to keep it so.
export { Runtime, type RuntimeOptions, type LoadedMap } from './runtime.js';
export { EbpfvmError, VerifierError, VmFault, errorReport } from './errors.js';
export { openObject, objectNameFromPath, load, LoadedObject, summarize, formatSummary, listingUnits, formatListing, btfTypeRows, type ObjectSpec, type LoadedProgram, type ObjectSummary, type ListingUnit, type DisasmUnit, type BtfTypeRow } from './loader/index.js';
export { formatBtfC } from './btf/format.js';
export { BtfKind, type Btf } from './btf/btf.js';
export { verifyProgram, verifyForRun, type VerifyOptions, type VerifyResult } from './verify.js';
export { programVerdict, verdictLine, type ProgramVerdict } from './verdict.js';
export { testRun, dumpMapRaw, toHex, fromHex, hexDump, resultLine, mapViews, TestRunInputError, type TestRunInput, type TestRunResult, type MapView, type RawMapDump } from './test-run-api.js';
export { RbtreeApi, dumpRbtree, formatRbtree, btfDecoder, isRbtreeMap, type RbtreeShape } from './rbtree-api.js';
export { mapTypeName, MapType, type BpfMap } from '../maps/types.js';
export { PerfEventArrayMap } from '../maps/perf-event-array.js';
export { progTypeName } from '../vm/prog-types.js';
export { getDefaultEngine, setDefaultEngine, type Engine, type TraceStep } from '../vm/interpreter.js';
export type { Program } from '../vm/program.js';
export type { RunOutput } from '../helpers/types.js';
