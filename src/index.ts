// ebpfvm's public API. The core (everything re-exported here) takes bytes and imports no node:
// modules; `openObjectFile` lives in ./node.js for Node users.
export { Runtime, type RuntimeOptions, type LoadedMap, type ExecRequest, type ExecResult } from './runtime.js';
// The runtime's clock (runtime.clock: advance(ns) fires bpf_timer callbacks) and its timers.
export { RuntimeClock, CLOCK_START_NS, type ClockSource, type AdvanceResult, type FiredTimer } from './clock.js';
export type { BpfTimer, TimerTable } from '../helpers/timer.js';
export * from './errors.js';
export * from './loader/index.js';
// For Node users openObject also takes a path; the byte-only core version stays in ./loader.
export { openObjectAny as openObject, openObjectFile, readBytes } from './node.js';
export { parseElf, ElfFile, type ElfSection, type ElfSymbol, type ElfReloc } from './elf/file.js';
export { parseBtf, Btf, BtfKind, type BtfType, type BtfMember } from './btf/btf.js';
export { parseBtfExt, lineForPc, CoreKind, type BtfExt, type LineInfo, type FuncInfo, type CoreRelo } from './btf/ext.js';
export { applyCoreRelocations, coreCandidates, essentialName, CORE_POISON_HELPER, type CoreReport } from './btf/core.js';
export { builtinBtf, builtinBtfBytes, BUILTIN_KERNEL_FUNCS } from './btf/builtin.js';
export { builtinKernelImages, mapBuiltinKernel, memberOffset, BUILTIN_KSYMS, CURRENT_TASK_ADDR, CURRENT_CRED_ADDR, INIT_TASK_ADDR, type KernelTaskInfo } from './btf/builtin-kmem.js';
export { typedTracingArgs, btfAttachTarget } from './btf/builtin-args.js';
export { encodeBtf } from './btf/builtin-writer.js';
export { vmlinuxHeader } from './btf/vmlinux-header.js';
export { formatBtfC, formatTypeDecl } from './btf/format.js';
export { formatBtfRaw } from './btf/format-raw.js';
export { disassemble, formatInsn, type Dialect, type DisasmOptions, type DisasmAnnotations } from '../vm/disasm.js';
export { assemble, type AsmOptions } from '../vm/asm.js';
export { assembleUbpf } from '../vm/asm-ubpf.js';
export { OPCODES, formOf, insnError, type OpForm } from '../vm/opcodes.js';
export type { Program } from '../vm/program.js';
export type { Insn } from '../vm/isa.js';
export { MapType, type MapSpec, type BpfMap } from '../maps/types.js';
export { ProgType } from '../vm/prog-types.js';
export { testRun, runLoaded, dumpMapRaw, TestRunInputError, type TestRunInput, type TestRunResult, type RawMapDump, type RunLoadedOptions } from './test-run-api.js';
export { ArenaView, arenaApi, dumpArena, formatArenaDump, type ArenaVariable, type ArenaDump } from './arena-api.js';
export { isBpfArenaMap, type BpfArenaMap, ARENA_MAP_MAX_PAGES } from '../maps/arena.js';
export { mapApi, MapHandle, BtfCodec, codecFor, rawCodec, type Codec, type UpdateMode, type UpdateOptions, type MapSource } from './map-api.js';
export { RbtreeApi, formatRbtree, dumpRbtree, btfDecoder, hexPayload, isRbtreeMap, type KeyField, type NodeDecoder, type NodeComparator, type RbtreeNode, type RbtreeShape, type FormatOptions } from './rbtree-api.js';
export { RbtreeMap, rbtreeSpec, RB_NODE_SIZE } from '../maps/rbtree.js';
export { RingbufConsumer, consumeRingbuf, type RingbufCallback, type RingbufRecord } from './ringbuf-consumer.js';
// The producer side of BPF_MAP_TYPE_USER_RINGBUF (reserve/submit/discard/produce), the socket
// table (RuntimeOptions.sockets, runtime.sockets) and the maps user space reads directly.
export { UserRingbufMap, type UserRingbufSample } from '../maps/user-ringbuf.js';
export { SocketTable, TcpState, type Socket, type SocketDesc } from '../vm/sockets.js';
export { StackTraceMap } from '../maps/stack-trace.js';
export { KERNEL_FRAMES, USER_FRAMES, syntheticStack } from '../helpers/stack.js';
export { verifyProgram, verifyForRun, verifierInput, type VerifyOptions, type VerifyResult, type InsnFacts } from './verify.js';
export { attachFreplace, type FreplaceLink } from './freplace.js';
export { verify, type VerifyInput, type VerifierMap } from '../verifier/index.js';
