// Kernel memory: a read-only, sparse, 64-bit address space the user fills (the task struct,
// pt_regs, what tracing arguments point to). Programs never see it as arena memory: an address
// whose upper half is neither 0 (arena) nor a handle tag reads from here, and stores fault.
// Stored as 4 KiB pages keyed by a Number (upper half * 2^20 + page index), so a lookup is one
// Map probe without BigInt arithmetic on the interpreter's path.

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
const PAGES_PER_HI = 1 << (32 - PAGE_SHIFT); // 2^20

export class KernelMemory {
  private readonly pages = new Map<number, { bytes: Uint8Array; valid: Uint8Array }>();
  private mappedBytes = 0;
  /** What to map before the first access (see the constructor); cleared once run. */
  private prefill: ((kmem: KernelMemory) => void) | undefined;

  /** `prefill` maps the memory every instance starts with (the runtime's built-in kernel objects)
   *  on first use rather than now: building it costs start-up time (the built-in BTF) that a
   *  program which never reads kernel memory should not pay. Anything mapped later overwrites it. */
  constructor(prefill?: (kmem: KernelMemory) => void) {
    this.prefill = prefill;
  }

  /** Bytes mapped so far (overlapping maps count once per call). */
  get size(): number {
    this.fill();
    return this.mappedBytes;
  }

  /** Make `bytes` readable at `addr` (a 64-bit address). Later maps overwrite earlier ones. */
  map(addr: bigint, bytes: Uint8Array): void {
    let a = BigInt.asUintN(64, addr);
    for (let i = 0; i < bytes.length; ) {
      const hi = Number(a >> 32n);
      const lo = Number(a & 0xffffffffn);
      const page = this.page(hi, lo, true)!;
      const start = lo & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - start, bytes.length - i);
      page.bytes.set(bytes.subarray(i, i + n), start);
      page.valid.fill(1, start, start + n);
      i += n;
      a = BigInt.asUintN(64, a + BigInt(n));
    }
    this.mappedBytes += bytes.length;
  }

  /** Forget everything. */
  clear(): void {
    this.prefill = undefined;
    this.pages.clear();
    this.mappedBytes = 0;
  }

  /** Copy of `len` bytes at `addr`, or undefined when any byte is unmapped. */
  read(addr: bigint, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    const a = BigInt.asUintN(64, addr);
    return this.readInto(Number(a >> 32n), Number(a & 0xffffffffn), out) ? out : undefined;
  }

  /** Fill `out` from the address (hi:lo halves, each as unsigned or signed 32-bit); false on a miss. */
  readInto(hi: number, lo: number, out: Uint8Array): boolean {
    hi >>>= 0;
    lo >>>= 0;
    for (let i = 0; i < out.length; i++) {
      const page = this.page(hi, lo, false);
      const o = lo & PAGE_MASK;
      if (!page || page.valid[o] === 0) return false;
      out[i] = page.bytes[o]!;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    return true;
  }

  /** Whether every byte of [addr, addr+len) is mapped. */
  isMapped(hi: number, lo: number, len: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    for (let i = 0; i < len; i++) {
      const page = this.page(hi, lo, false);
      if (!page || page.valid[lo & PAGE_MASK] === 0) return false;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    return true;
  }

  private fill(): void {
    const f = this.prefill;
    if (f) {
      this.prefill = undefined;
      f(this);
    }
  }

  private page(hi: number, lo: number, create: boolean): { bytes: Uint8Array; valid: Uint8Array } | undefined {
    if (this.prefill) this.fill();
    const key = hi * PAGES_PER_HI + (lo >>> PAGE_SHIFT);
    let p = this.pages.get(key);
    if (!p && create) {
      p = { bytes: new Uint8Array(PAGE_SIZE), valid: new Uint8Array(PAGE_SIZE) };
      this.pages.set(key, p);
    }
    return p;
  }
}
