// The one helper table: every Linux helper entry ebpfvm implements, gathered from the group files
// (helpers/maps.ts, helpers/time.ts, ...). Each group exports an array; add one import and one
// spread below. Verifier and interpreter both read entries from here.
import type { HelperEntry } from './types.js';

export const LINUX_HELPERS: readonly HelperEntry[] = [
];

let byId: Map<number, HelperEntry> | undefined;

export function helperById(id: number): HelperEntry | undefined {
  byId ??= new Map(LINUX_HELPERS.map((h) => [h.id, h]));
  return byId.get(id);
}

export function helperByName(name: string): HelperEntry | undefined {
  const n = name.startsWith('bpf_') ? name.slice(4) : name;
  return LINUX_HELPERS.find((h) => h.name === n);
}
