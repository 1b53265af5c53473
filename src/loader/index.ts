// The loader's public surface: open (bytes -> ObjectSpec) and load (spec -> LoadedObject).
export { openObject, objectNameFromPath, type OpenOptions } from './open.js';
export { load, LoadedObject, type LoadedProgram, type LoadOptions } from './load.js';
export { linkProgram, type LinkEnv, type LinkedProgram } from './link.js';
export { findSectionDef, SECTION_DEFS, AttachType, type SectionDef } from './sections.js';
export { isGplCompatible } from './license.js';
export { internalMapName } from './globals.js';
export { encodeKconfig, KCONFIG_DEFAULTS } from './externs.js';
export type { ObjectSpec, ProgramSpec, FuncSpec, ObjMapSpec, GlobalVar, ExternSpec, MapInitSlot, KconfigType } from './spec.js';
