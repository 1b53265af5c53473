// A red-black tree whose links live inside the nodes, laid out exactly like the kernel's
// `struct rb_node` (24 bytes, 8-byte aligned):
//
//   +0  __rb_parent_color  parent address | colour bit (bit 0: 0 = red, 1 = black)
//   +8  rb_right
//   +16 rb_left
//
// Nodes are arena addresses; each 64-bit field holds the address in its low word and 0 in its high
// word, so a program that reads a link gets a valid pointer. An unlinked node is RB_CLEAR_NODE'd
// (parent = itself, children 0) as in the kernel, which is also how `isLinked` tells them apart.
//
// The tree never trusts these bytes more than its owner does: rbtree maps write-protect them for
// the node's whole life (maps/rbtree.ts), so only this code ever writes them. Comparisons are
// closures, because the map runs them as BPF callbacks; every comparison happens before the first
// write, so a callback that faults leaves the tree as it was.
//
// Algorithms: insertion fix-up and deletion fix-up as in CLRS (ch. 13) with parent pointers;
// ties on insert go right (the kernel's rb_add: `less(node, parent)` false -> right), so equal
// keys keep insertion order.

const RED = 0;
const BLACK = 1;

/** Word offsets (in u32 units) of the fields, relative to `addr >>> 2`. */
const PC = 0;
const RIGHT = 2;
const LEFT = 4;

/** Where the tree reads its nodes: the arena (its `u32` view is replaced when the arena grows, so
 *  the tree reads it per access or once per operation between calls that cannot allocate). */
export interface WordMemory {
  readonly u32: Uint32Array;
}

export class RbTree {
  root = 0;
  /** Cached leftmost/rightmost (rb_root_cached): first/last are O(1). */
  leftmost = 0;
  rightmost = 0;
  size = 0;

  constructor(private readonly mem: WordMemory) {
    this.v = mem.u32;
  }

  /** The arena's word view now (never kept across a `less`/`cmp` call, which may allocate). */
  private get w(): Uint32Array {
    return this.mem.u32;
  }

  /** The view the rebalancing code uses: read once when link or erase starts (neither calls out
   *  or allocates), not at every access (~10% of a 1e3-node add+erase pair). */
  private v: Uint32Array;
  private pv(n: number): number {
    return this.v[(n >>> 2) + PC]! & ~3;
  }
  private lv(n: number): number {
    return this.v[(n >>> 2) + LEFT]!;
  }
  private rv(n: number): number {
    return this.v[(n >>> 2) + RIGHT]!;
  }
  private redv(n: number): boolean {
    return n !== 0 && (this.v[(n >>> 2) + PC]! & 1) === RED;
  }
  private blackv(n: number): boolean {
    return n === 0 || (this.v[(n >>> 2) + PC]! & 1) === BLACK;
  }

  // ---- field access ----------------------------------------------------------------------

  parent(n: number): number {
    return this.w[(n >>> 2) + PC]! & ~3;
  }
  left(n: number): number {
    return this.w[(n >>> 2) + LEFT]!;
  }
  right(n: number): number {
    return this.w[(n >>> 2) + RIGHT]!;
  }
  isRed(n: number): boolean {
    return n !== 0 && (this.w[(n >>> 2) + PC]! & 1) === RED;
  }
  isBlack(n: number): boolean {
    return n === 0 || (this.w[(n >>> 2) + PC]! & 1) === BLACK;
  }
  /** Linked into some tree: RB_EMPTY_NODE is parent == self. */
  isLinked(n: number): boolean {
    return this.w[(n >>> 2) + PC]! !== n;
  }

  private setParent(n: number, p: number): void {
    const i = (n >>> 2) + PC;
    this.v[i] = p | (this.v[i]! & 1);
  }
  private setColor(n: number, c: number): void {
    const i = (n >>> 2) + PC;
    this.v[i] = (this.v[i]! & ~1) | c;
  }
  private setLeft(n: number, v: number): void {
    this.v[(n >>> 2) + LEFT] = v;
  }
  private setRight(n: number, v: number): void {
    this.v[(n >>> 2) + RIGHT] = v;
  }

  /** RB_CLEAR_NODE: all six words, so the high halves are 0 too. */
  clear(n: number): void {
    const i = n >>> 2;
    const w = this.w;
    w[i] = n;
    w[i + 1] = 0;
    w[i + 2] = 0;
    w[i + 3] = 0;
    w[i + 4] = 0;
    w[i + 5] = 0;
  }

  /** RB_CLEAR_NODE of a node whose bytes are known to be zero (fresh from Arena.alloc, which
   *  zeroes): only the parent word is not. */
  clearZeroed(n: number): void {
    this.w[n >>> 2] = n;
  }

  // ---- queries ---------------------------------------------------------------------------

  first(): number {
    return this.leftmost;
  }
  last(): number {
    return this.rightmost;
  }

  next(n: number): number {
    let r = this.right(n);
    if (r !== 0) {
      for (let l = this.left(r); l !== 0; l = this.left(r)) r = l;
      return r;
    }
    let p = this.parent(n);
    while (p !== 0 && n === this.right(p)) {
      n = p;
      p = this.parent(p);
    }
    return p;
  }

  prev(n: number): number {
    let l = this.left(n);
    if (l !== 0) {
      for (let r = this.right(l); r !== 0; r = this.right(l)) l = r;
      return l;
    }
    let p = this.parent(n);
    while (p !== 0 && n === this.left(p)) {
      n = p;
      p = this.parent(p);
    }
    return p;
  }

  /** rb_find: `cmp(node)` < 0 means the key sorts before `node` (go left), > 0 after, 0 match. */
  find(cmp: (node: number) => number): number {
    let n = this.root;
    while (n !== 0) {
      const c = cmp(n);
      if (c < 0) n = this.left(n);
      else if (c > 0) n = this.right(n);
      else return n;
    }
    return 0;
  }

  /** Whether `n` hangs off this tree's root (walks up; O(log n)). */
  contains(n: number): boolean {
    if (!this.isLinked(n)) return false;
    let p = n;
    for (let q = this.parent(p); q !== 0; q = this.parent(p)) p = q;
    return p === this.root;
  }

  // ---- insertion -------------------------------------------------------------------------

  /** rb_add: walk down with `less(node, parent)` (ties go right), then link and rebalance.
   *  All `less` calls happen before any write. */
  add(n: number, less: (a: number, b: number) => boolean): void {
    let parent = 0;
    let goLeft = false;
    let isLeftmost = true;
    let isRightmost = true;
    for (let cur = this.root; cur !== 0; ) {
      parent = cur;
      if (less(n, cur)) {
        goLeft = true;
        isRightmost = false;
        cur = this.left(cur);
      } else {
        goLeft = false;
        isLeftmost = false;
        cur = this.right(cur);
      }
    }
    this.link(n, parent, goLeft);
    if (isLeftmost) this.leftmost = n;
    if (isRightmost) this.rightmost = n;
  }

  /** `add` with the order of an integer key field compiled in: `less(a, b)` is key(a) < key(b) for
   *  the little-endian key of `size` 4 or 8 bytes at word `wi` of each node (signed or not), read
   *  straight from the links' word view. The user-space API inserts with a key field this way:
   *  the new node's key is read once, not at every level. Same walk, ties right. */
  addByKey(n: number, wi: number, size: 4 | 8, signed: boolean): void {
    const w = this.w;
    // signed order is unsigned order with the sign bit flipped (of the high word for 8 bytes)
    const flip = signed ? 0x80000000 : 0;
    const ni = (n >>> 2) + wi;
    const kHi = size === 8 ? (w[ni + 1]! ^ flip) >>> 0 : 0;
    const kLo = size === 8 ? w[ni]! : (w[ni]! ^ flip) >>> 0;
    let parent = 0;
    let goLeft = false;
    let isLeftmost = true;
    let isRightmost = true;
    for (let cur = this.root; cur !== 0; ) {
      parent = cur;
      const ci = (cur >>> 2) + wi;
      let less: boolean;
      if (size === 8) {
        const h = (w[ci + 1]! ^ flip) >>> 0;
        less = kHi < h || (kHi === h && kLo < w[ci]!);
      } else less = kLo < (w[ci]! ^ flip) >>> 0;
      if (less) {
        goLeft = true;
        isRightmost = false;
        cur = w[(cur >>> 2) + LEFT]!;
      } else {
        goLeft = false;
        isLeftmost = false;
        cur = w[(cur >>> 2) + RIGHT]!;
      }
    }
    this.link(n, parent, goLeft);
    if (isLeftmost) this.leftmost = n;
    if (isRightmost) this.rightmost = n;
  }

  /** Link `n` as a red leaf under `parent` and restore the invariants. */
  private link(n: number, parent: number, asLeft: boolean): void {
    const i = n >>> 2;
    const w = (this.v = this.mem.u32);
    w[i] = parent; // red
    w[i + 1] = 0;
    w[i + 2] = 0;
    w[i + 3] = 0;
    w[i + 4] = 0;
    w[i + 5] = 0;
    if (parent === 0) this.root = n;
    else if (asLeft) this.setLeft(parent, n);
    else this.setRight(parent, n);
    this.size++;
    this.insertFixup(n);
  }

  private insertFixup(n: number): void {
    for (;;) {
      let p = this.pv(n);
      if (p === 0) {
        this.setColor(n, BLACK);
        return;
      }
      if (this.blackv(p)) return;
      const g = this.pv(p); // p is red, so not the root
      if (p === this.lv(g)) {
        const u = this.rv(g);
        if (this.redv(u)) {
          this.setColor(p, BLACK);
          this.setColor(u, BLACK);
          this.setColor(g, RED);
          n = g;
          continue;
        }
        if (n === this.rv(p)) {
          this.rotateLeft(p);
          n = p;
          p = this.pv(n);
        }
        this.setColor(p, BLACK);
        this.setColor(g, RED);
        this.rotateRight(g);
        return;
      } else {
        const u = this.lv(g);
        if (this.redv(u)) {
          this.setColor(p, BLACK);
          this.setColor(u, BLACK);
          this.setColor(g, RED);
          n = g;
          continue;
        }
        if (n === this.lv(p)) {
          this.rotateRight(p);
          n = p;
          p = this.pv(n);
        }
        this.setColor(p, BLACK);
        this.setColor(g, RED);
        this.rotateLeft(g);
        return;
      }
    }
  }

  private rotateLeft(x: number): void {
    const y = this.rv(x);
    const b = this.lv(y);
    this.setRight(x, b);
    if (b !== 0) this.setParent(b, x);
    this.replaceChild(x, y);
    this.setLeft(y, x);
    this.setParent(x, y);
  }

  private rotateRight(x: number): void {
    const y = this.lv(x);
    const b = this.rv(y);
    this.setLeft(x, b);
    if (b !== 0) this.setParent(b, x);
    this.replaceChild(x, y);
    this.setRight(y, x);
    this.setParent(x, y);
  }

  /** Put `v` where `u` hangs (in u's parent or as root); v's parent becomes u's parent. */
  private replaceChild(u: number, v: number): void {
    const p = this.pv(u);
    if (p === 0) this.root = v;
    else if (u === this.lv(p)) this.setLeft(p, v);
    else this.setRight(p, v);
    if (v !== 0) this.setParent(v, p);
  }

  // ---- erase -----------------------------------------------------------------------------

  /** Unlink `z` (which must be linked in this tree), rebalance, and RB_CLEAR_NODE it (unless
   *  `clearNode` is false: the caller frees z at once, and freed bytes are never read). */
  erase(z: number, clearNode = true): void {
    this.v = this.mem.u32;
    if (z === this.leftmost) this.leftmost = this.next(z);
    if (z === this.rightmost) this.rightmost = this.prev(z);
    let x: number;
    let xParent: number;
    let removedColor: number;
    const zl = this.lv(z);
    const zr = this.rv(z);
    if (zl === 0) {
      removedColor = this.colorOf(z);
      x = zr;
      xParent = this.pv(z);
      this.replaceChild(z, zr);
    } else if (zr === 0) {
      removedColor = this.colorOf(z);
      x = zl;
      xParent = this.pv(z);
      this.replaceChild(z, zl);
    } else {
      // z's successor y takes z's place and colour; y's old colour is what left the tree.
      let y = zr;
      for (let l = this.lv(y); l !== 0; l = this.lv(y)) y = l;
      removedColor = this.colorOf(y);
      x = this.rv(y);
      if (this.pv(y) === z) {
        xParent = y;
      } else {
        xParent = this.pv(y);
        this.replaceChild(y, x);
        this.setRight(y, zr);
        this.setParent(zr, y);
      }
      this.replaceChild(z, y);
      this.setLeft(y, zl);
      this.setParent(zl, y);
      this.setColor(y, this.colorOf(z));
    }
    this.size--;
    if (removedColor === BLACK) this.eraseFixup(x, xParent);
    if (clearNode) this.clear(z);
  }

  private colorOf(n: number): number {
    return this.v[(n >>> 2) + PC]! & 1;
  }

  private eraseFixup(x: number, xp: number): void {
    while (x !== this.root && this.blackv(x)) {
      if (x === this.lv(xp)) {
        let s = this.rv(xp);
        if (this.redv(s)) {
          this.setColor(s, BLACK);
          this.setColor(xp, RED);
          this.rotateLeft(xp);
          s = this.rv(xp);
        }
        if (this.blackv(this.lv(s)) && this.blackv(this.rv(s))) {
          this.setColor(s, RED);
          x = xp;
          xp = this.pv(x);
        } else {
          if (this.blackv(this.rv(s))) {
            this.setColor(this.lv(s), BLACK);
            this.setColor(s, RED);
            this.rotateRight(s);
            s = this.rv(xp);
          }
          this.setColor(s, this.colorOf(xp));
          this.setColor(xp, BLACK);
          this.setColor(this.rv(s), BLACK);
          this.rotateLeft(xp);
          x = this.root;
        }
      } else {
        let s = this.lv(xp);
        if (this.redv(s)) {
          this.setColor(s, BLACK);
          this.setColor(xp, RED);
          this.rotateRight(xp);
          s = this.lv(xp);
        }
        if (this.blackv(this.lv(s)) && this.blackv(this.rv(s))) {
          this.setColor(s, RED);
          x = xp;
          xp = this.pv(x);
        } else {
          if (this.blackv(this.lv(s))) {
            this.setColor(this.rv(s), BLACK);
            this.setColor(s, RED);
            this.rotateLeft(s);
            s = this.lv(xp);
          }
          this.setColor(s, this.colorOf(xp));
          this.setColor(xp, BLACK);
          this.setColor(this.lv(s), BLACK);
          this.rotateRight(xp);
          x = this.root;
        }
      }
    }
    if (x !== 0) this.setColor(x, BLACK);
  }

  // ---- whole-tree walks ------------------------------------------------------------------

  /** Every linked node in post-order (children before parents), so the caller may free each
   *  node as it is visited. Iterative: trees of 1e6 nodes are ~40 deep, but callers of
   *  user-facing walks should not depend on that. */
  postOrder(): number[] {
    const out: number[] = [];
    const stack: number[] = [];
    let last = 0;
    let n = this.root;
    while (n !== 0 || stack.length > 0) {
      if (n !== 0) {
        stack.push(n);
        n = this.left(n);
      } else {
        const top = stack[stack.length - 1]!;
        const r = this.right(top);
        if (r !== 0 && last !== r) n = r;
        else {
          out.push(top);
          last = top;
          stack.pop();
        }
      }
    }
    return out;
  }

  /** Forget every node without touching their bytes (the caller frees them). */
  reset(): void {
    this.root = this.leftmost = this.rightmost = 0;
    this.size = 0;
  }

  /** Red-black and structural invariants; returns the violations found (empty when sound).
   *  Checks: root black with parent 0, no red node with a red child, equal black height on
   *  every path, every child's parent link, in-order `less` consistency when given, size and
   *  leftmost/rightmost caches. */
  check(less?: (a: number, b: number) => boolean): string[] {
    const errs: string[] = [];
    const hex = (n: number): string => '0x' + n.toString(16);
    if (this.root !== 0) {
      if (this.parent(this.root) !== 0) errs.push(`root ${hex(this.root)} has parent ${hex(this.parent(this.root))}`);
      if (!this.isBlack(this.root)) errs.push(`root ${hex(this.root)} is red`);
    }
    let count = 0;
    let blackHeight = -1;
    // Iterative DFS carrying the black count down each path.
    const stack: [number, number][] = this.root ? [[this.root, 0]] : [];
    while (stack.length > 0) {
      const [n, above] = stack.pop()!;
      count++;
      if (count > this.size + 1) {
        errs.push('cycle or more nodes than size');
        break;
      }
      const bh = above + (this.isBlack(n) ? 1 : 0);
      for (const [c, side] of [
        [this.left(n), 'left'],
        [this.right(n), 'right'],
      ] as const) {
        if (c === 0) {
          if (blackHeight < 0) blackHeight = bh;
          else if (blackHeight !== bh) errs.push(`black height ${bh} at ${hex(n)}.${side}, expected ${blackHeight}`);
          continue;
        }
        if (this.parent(c) !== n) errs.push(`${hex(c)} (${side} of ${hex(n)}) has parent ${hex(this.parent(c))}`);
        if (this.isRed(n) && this.isRed(c)) errs.push(`red ${hex(n)} has red ${side} child ${hex(c)}`);
        stack.push([c, bh]);
      }
    }
    if (count !== this.size) errs.push(`size ${this.size} but ${count} nodes reachable`);
    let lm = this.root;
    while (lm !== 0 && this.left(lm) !== 0) lm = this.left(lm);
    let rm = this.root;
    while (rm !== 0 && this.right(rm) !== 0) rm = this.right(rm);
    if (lm !== this.leftmost) errs.push(`leftmost cache ${hex(this.leftmost)}, actual ${hex(lm)}`);
    if (rm !== this.rightmost) errs.push(`rightmost cache ${hex(this.rightmost)}, actual ${hex(rm)}`);
    if (less && errs.length === 0) {
      for (let n = this.leftmost, m = this.next(n); m !== 0; n = m, m = this.next(m)) {
        if (less(m, n)) {
          errs.push(`order: ${hex(m)} sorts before its predecessor ${hex(n)}`);
          break;
        }
      }
    }
    return errs;
  }
}
