// Handles: 64-bit values that stand for things that are not arena memory (maps, programs, BPF
// functions). Their upper half is a tag no arena address (upper half 0) and no wrapped pointer
// (upper half 0xffffffff) can have, so a load through a handle faults and a handle can never be
// mistaken for memory. The lower half is an index into the owning table.

export const HandleKind = {
  MAP: 1,
  PROG: 2,
  FUNC: 3,
  KSYM: 4,
} as const;
export type HandleKind = (typeof HandleKind)[keyof typeof HandleKind];

/** Upper-half tag base: 0xEBF0_00xx where xx is the kind. */
export const HANDLE_TAG_BASE = 0xebf00000;

export function makeHandle(kind: HandleKind, index: number): bigint {
  return (BigInt(HANDLE_TAG_BASE + kind) << 32n) | BigInt(index >>> 0);
}

/** The handle kind encoded in an upper half, or 0 when it is not a handle tag. */
export function handleKindOfHi(hi: number): number {
  const h = hi >>> 0;
  // `&` yields a signed int32; bring it back to unsigned before comparing with the tag.
  return ((h & 0xffffff00) >>> 0) === HANDLE_TAG_BASE ? h & 0xff : 0;
}

export function handleKind(value: bigint): number {
  return handleKindOfHi(Number((value >> 32n) & 0xffffffffn));
}

export function handleIndex(value: bigint): number {
  return Number(value & 0xffffffffn);
}

export function isHandle(value: bigint, kind: HandleKind): boolean {
  return handleKind(value) === kind;
}
