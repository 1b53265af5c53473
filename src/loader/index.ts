// The loader's public surface: open (bytes -> ObjectSpec) and load (spec -> LoadedObject).
//
// Flow (DESIGN sections 1 and 6):
//   bytes --src/elf/file.ts--> ElfFile (sections, symbols, SHT_REL relocations; bounds-checked)
//         --src/btf--> Btf (.BTF, fixed up like libbpf), BtfExt (func/line info, CO-RE records)
//         --open.ts--> ObjectSpec: programs (sections.ts: libbpf's section table), maps.ts (.maps,
//                      legacy maps), globals.ts (.data/.rodata/.bss images, GlobalVar accessors),
//                      externs.ts (.kconfig layout and encodings, .ksyms, kfuncs)
//   (the user edits the spec: globals, kconfig values, autoload, map attributes, instructions)
//   load.ts: maps created in the Runtime (pinned/reused maps shared), then per program link.ts
//            (subprograms appended, relocations, CO-RE via btf/core.ts, line/func info rebased),
//            refusal of what the runtime lacks, registration, `values` initialisers.
// Errors: ElfError (file layout), BtfError (type info), LinkError (symbols, relocations, values),
// UnsupportedError (helper/kfunc/map type/program type the runtime lacks); each names its place.
export { openObject, objectNameFromPath, type OpenOptions } from './open.js';
export { load, LoadedObject, type LoadedProgram, type LoadOptions, type AttachTarget, type ExtTarget } from './load.js';
export { funcTypeMismatch, withExtensions } from './freplace.js';
export { linkProgram, type LinkEnv, type LinkedProgram } from './link.js';
export { findSectionDef, SECTION_DEFS, AttachType, type SectionDef } from './sections.js';
export { isGplCompatible } from './license.js';
export { internalMapName } from './globals.js';
export { encodeKconfig, kconfigImage, KCONFIG_DEFAULTS } from './externs.js';
export { summarize, formatSummary, btfTypeRows, type ObjectSummary, type BtfTypeRow } from './describe.js';
export { listingUnits, formatListing, type ListingUnit, type DisasmUnit, type DisasmCliOptions } from './listing.js';
export type { ObjectSpec, ProgramSpec, FuncSpec, ObjMapSpec, GlobalVar, ExternSpec, MapInitSlot, KconfigType } from './spec.js';
