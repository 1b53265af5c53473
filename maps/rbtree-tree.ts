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
// Algorithms: the kernel's lib/rbtree.c insertion and erase (the cases of CLRS ch. 13, with
// parent pointers, each case writing what it changes once); ties on insert go right (the
// kernel's rb_add: `less(node, parent)` false -> right), so equal keys keep insertion order.

const RED = 0;
const BLACK = 1;

/** Word offsets (in u32 units) of the fields, relative to `addr >>> 2`. */
const PC = 0;
const RIGHT = 2;
const LEFT = 4;

/** Where the tree reads its nodes: the arena (its `i32` view is replaced when the arena grows, so
 *  the tree reads it per access or once per operation between calls that cannot allocate).
 *
 *  Signed words, not unsigned: node addresses are below 2^31 (the arena's limit), so a link read
 *  from an Int32Array is a small integer V8 keeps in a machine register; read from a Uint32Array
 *  it may exceed int32, and V8 carries it as a double, converting it back (and checking the
 *  conversion) at every `>>> 2` -- about a third of a walk's time in Node 20. Keys compare as
 *  signed words too (an unsigned word with its top bit flipped orders as its signed value). */
export interface WordMemory {
  readonly i32: Int32Array;
}

export class RbTree {
  root = 0;
  /** Cached leftmost/rightmost (rb_root_cached): first/last are O(1). */
  leftmost = 0;
  rightmost = 0;
  size = 0;

  constructor(private readonly mem: WordMemory) {}

  /** The arena's word view now (never kept across a `less`/`cmp` call, which may allocate). */
  private get w(): Int32Array {
    return this.mem.i32;
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
    let slot = -1;
    for (let cur = this.root; cur !== 0; ) {
      parent = cur;
      slot = (cur >>> 2) + (less(n, cur) ? LEFT : RIGHT);
      cur = this.w[slot]!; // read after less, which may have grown the arena
    }
    this.linkAt(n, parent, slot);
  }

  /** `add` with the order of an integer key field compiled in: `less(a, b)` is key(a) < key(b) for
   *  the little-endian key of `size` 4 or 8 bytes at word `wi` of each node (signed or not), read
   *  straight from the links' word view. The user-space API inserts with a key field this way:
   *  the new node's key is read once, not at every level. Same walk, ties right; one loop per key
   *  size, so no level tests the size again.
   *
   *  Shaped for V8 (measured, the user-space pair at 1e3 nodes; see scripts/rbtree-api-cpu.mjs):
   *  - Each loop takes two levels per iteration. What V8 re-establishes at every iteration (the
   *    word view's map, length and data pointer, reloaded because the loop's interrupt check may
   *    run arbitrary code; spills of the loop's values) is then paid once per two levels.
   *  - Index sums are `| 0`: `cur >>> 2` is a uint32 to V8, and the plain sum of two had an
   *    overflow check (a deopt point) at each access.
   *  - The two loops make this method larger than V8 inlines (460 bytes of bytecode), on purpose:
   *    it is always compiled on its own. When it could be inlined into RbtreeMap.insertValue,
   *    whether it was depended on the order V8 happened to optimise the functions in, and a
   *    process ran the pair at ~100 or at ~105 ns for good; compiled on its own, the walk also
   *    keeps more of its values in registers. Together ~100-105 -> ~94-97 ns. */
  addByKey(n: number, wi: number, size: 4 | 8, signed: boolean): void {
    const w = this.mem.i32;
    // unsigned order is signed order with the sign bit flipped (of the high word for 8 bytes; a
    // low word always orders unsigned)
    const flip = signed ? 0 : 0x80000000 | 0;
    const ni = (n >>> 2) + wi;
    // The walk keeps two values, the node and the word index of the link it took (`slot`): which
    // side the new node goes and whether it is the leftmost or rightmost follow from them after
    // the loop, so the loop carries no flags (fewer live values, fewer spills).
    let parent = 0;
    let slot = -1;
    let cur = this.root;
    if (size === 8) {
      const kHi = w[ni + 1]! ^ flip;
      const kLo = w[ni]! ^ (0x80000000 | 0);
      const hw = wi + 1;
      while (cur !== 0) {
        parent = cur;
        let b = cur >>> 2;
        let h = w[(b + hw) | 0]! ^ flip;
        slot = kHi < h || (kHi === h && kLo < (w[(b + wi) | 0]! ^ (0x80000000 | 0))) ? (b + LEFT) | 0 : (b + RIGHT) | 0;
        cur = w[slot]!;
        if (cur === 0) break;
        parent = cur;
        b = cur >>> 2;
        h = w[(b + hw) | 0]! ^ flip;
        slot = kHi < h || (kHi === h && kLo < (w[(b + wi) | 0]! ^ (0x80000000 | 0))) ? (b + LEFT) | 0 : (b + RIGHT) | 0;
        cur = w[slot]!;
      }
    } else {
      const k = w[ni]! ^ flip;
      while (cur !== 0) {
        parent = cur;
        let b = cur >>> 2;
        slot = k < (w[(b + wi) | 0]! ^ flip) ? (b + LEFT) | 0 : (b + RIGHT) | 0;
        cur = w[slot]!;
        if (cur === 0) break;
        parent = cur;
        b = cur >>> 2;
        slot = k < (w[(b + wi) | 0]! ^ flip) ? (b + LEFT) | 0 : (b + RIGHT) | 0;
        cur = w[slot]!;
      }
    }
    this.linkAt(n, parent, slot);
  }

  /** Link `n` as a red leaf at `parent`'s link word `slot` (where a walk ended; -1 and parent 0
   *  when the tree is empty), update the caches and restore the invariants. The new node is the
   *  leftmost exactly when it hangs left of the leftmost node (every step of its walk
   *  went left), the rightmost likewise. */
  private linkAt(n: number, parent: number, slot: number): void {
    const i = n >>> 2;
    const w = this.mem.i32;
    w[i] = parent; // red
    w[i + 1] = 0;
    w[i + 2] = 0;
    w[i + 3] = 0;
    w[i + 4] = 0;
    w[i + 5] = 0;
    this.size++;
    if (parent === 0) {
      this.root = n;
      this.leftmost = n;
      this.rightmost = n;
      w[i] = BLACK; // the root is black
      return;
    }
    w[slot] = n;
    if (slot === (parent >>> 2) + LEFT) {
      if (parent === this.leftmost) this.leftmost = n;
    } else if (parent === this.rightmost) this.rightmost = n;
    // Under a black parent a red leaf breaks nothing (__rb_insert's first test): most inserts
    // end here, without the call (insertColor is too large for V8 to inline).
    if ((w[parent >>> 2]! & 1) === RED) this.insertColor(w, n);
  }

  // The rebalancing below follows the kernel's lib/rbtree.c (__rb_insert, __rb_erase_augmented,
  // ____rb_erase_color): the same cases as CLRS ch. 13, so the same shapes, but each case writes
  // its links and parent|colour words once, from values it already holds, instead of going
  // through generic rotations that re-read them. `w` is the arena's word view, read once per
  // operation (nothing here calls out or allocates).

  /** __rb_insert: `n` is a red leaf just linked. A red node's parent|colour word is its parent. */
  private insertColor(w: Int32Array, n: number): void {
    let node = n;
    let parent = w[node >>> 2]!;
    for (;;) {
      if (parent === 0) {
        w[node >>> 2] = BLACK; // the root is black
        return;
      }
      const pi = parent >>> 2;
      const gparent = w[pi]!;
      if ((gparent & 1) === BLACK) return;
      // parent is red, so not the root: gparent is its parent (and black)
      const gi = gparent >>> 2;
      let tmp = w[gi + RIGHT]!;
      if (parent !== tmp) {
        // parent is gparent's left child
        if (tmp !== 0 && (w[tmp >>> 2]! & 1) === RED) {
          // Case 1: colour flips, go up two levels
          w[tmp >>> 2] = gparent | BLACK;
          w[pi] = gparent | BLACK;
          node = gparent;
          parent = w[gi]! & ~3;
          w[gi] = parent; // red
          continue;
        }
        tmp = w[pi + RIGHT]!;
        if (node === tmp) {
          // Case 2: left rotate at parent
          const ni = node >>> 2;
          tmp = w[ni + LEFT]!;
          w[pi + RIGHT] = tmp;
          w[ni + LEFT] = parent;
          if (tmp !== 0) w[tmp >>> 2] = parent | BLACK;
          w[pi] = node; // red
          parent = node;
          tmp = w[ni + RIGHT]!;
        }
        // Case 3: right rotate at gparent
        w[gi + LEFT] = tmp;
        w[(parent >>> 2) + RIGHT] = gparent;
        if (tmp !== 0) w[tmp >>> 2] = gparent | BLACK;
        this.rotateSetParents(w, gparent, parent, RED);
        return;
      } else {
        tmp = w[gi + LEFT]!;
        if (tmp !== 0 && (w[tmp >>> 2]! & 1) === RED) {
          // Case 1: colour flips, go up two levels
          w[tmp >>> 2] = gparent | BLACK;
          w[pi] = gparent | BLACK;
          node = gparent;
          parent = w[gi]! & ~3;
          w[gi] = parent; // red
          continue;
        }
        tmp = w[pi + LEFT]!;
        if (node === tmp) {
          // Case 2: right rotate at parent
          const ni = node >>> 2;
          tmp = w[ni + RIGHT]!;
          w[pi + LEFT] = tmp;
          w[ni + RIGHT] = parent;
          if (tmp !== 0) w[tmp >>> 2] = parent | BLACK;
          w[pi] = node; // red
          parent = node;
          tmp = w[ni + LEFT]!;
        }
        // Case 3: left rotate at gparent
        w[gi + RIGHT] = tmp;
        w[(parent >>> 2) + LEFT] = gparent;
        if (tmp !== 0) w[tmp >>> 2] = gparent | BLACK;
        this.rotateSetParents(w, gparent, parent, RED);
        return;
      }
    }
  }

  /** __rb_rotate_set_parents: `nw` takes `old`'s place (parent, colour, slot in the parent);
   *  `old` becomes nw's child with `color`. */
  private rotateSetParents(w: Int32Array, old: number, nw: number, color: number): void {
    const oi = old >>> 2;
    const pc = w[oi]!;
    w[nw >>> 2] = pc;
    w[oi] = nw | color;
    this.changeChild(w, old, nw, pc & ~3);
  }

  /** __rb_change_child: put `nw` where `old` hangs under `parent` (or at the root). */
  private changeChild(w: Int32Array, old: number, nw: number, parent: number): void {
    if (parent === 0) this.root = nw;
    else {
      const pi = parent >>> 2;
      if (w[pi + LEFT] === old) w[pi + LEFT] = nw;
      else w[pi + RIGHT] = nw;
    }
  }

  // ---- erase -----------------------------------------------------------------------------

  /** Unlink `z` (which must be linked in this tree), rebalance, and RB_CLEAR_NODE it (unless
   *  `clearNode` is false: the caller frees z at once, and freed bytes are never read). */
  erase(z: number, clearNode = true): void {
    if (z === this.leftmost) this.leftmost = this.next(z);
    if (z === this.rightmost) this.rightmost = this.prev(z);
    const w = this.mem.i32;
    const zi = z >>> 2;
    const child = w[zi + RIGHT]!;
    const left = w[zi + LEFT]!;
    let rebalance = 0;
    if (left === 0) {
      // At most one child, on the right; if there is one it is red and z black: it takes z's
      // place and colour, and the black height is whole again.
      const pc = w[zi]!;
      const parent = pc & ~3;
      this.changeChild(w, z, child, parent);
      if (child !== 0) w[child >>> 2] = pc;
      else if ((pc & 1) === BLACK) rebalance = parent;
    } else if (child === 0) {
      // Only a (red) left child: the same, mirrored
      const pc = w[zi]!;
      w[left >>> 2] = pc;
      this.changeChild(w, z, left, pc & ~3);
    } else {
      rebalance = this.replaceBySuccessor(w, z, child, left);
    }
    this.size--;
    if (rebalance !== 0) this.eraseColor(w, rebalance);
    if (clearNode) this.clear(z);
  }

  /** erase's case of a node `z` with two children (right `child`, `left`): z's successor takes
   *  z's place and colour, and its own colour leaves the tree. Returns the node to rebalance from
   *  (0: none). Apart from erase, so that erase is small enough for V8 to inline into its callers
   *  (a user-space remove mostly takes a node with at most one child). */
  private replaceBySuccessor(w: Int32Array, z: number, child: number, left: number): number {
    const zi = z >>> 2;
    let successor = child;
    let parent: number;
    let child2: number;
    let tmp = w[(child >>> 2) + LEFT]!;
    if (tmp === 0) {
      // the successor is z's right child
      parent = successor;
      child2 = w[(successor >>> 2) + RIGHT]!;
    } else {
      // the successor is leftmost under z's right child
      do {
        parent = successor;
        successor = tmp;
        tmp = w[(tmp >>> 2) + LEFT]!;
      } while (tmp !== 0);
      const si = successor >>> 2;
      child2 = w[si + RIGHT]!;
      w[(parent >>> 2) + LEFT] = child2;
      w[si + RIGHT] = child;
      const ci = child >>> 2;
      w[ci] = successor | (w[ci]! & 1);
    }
    const si = successor >>> 2;
    w[si + LEFT] = left;
    const li = left >>> 2;
    w[li] = successor | (w[li]! & 1);
    const pc = w[zi]!;
    this.changeChild(w, z, successor, pc & ~3);
    let rebalance = 0;
    if (child2 !== 0) w[child2 >>> 2] = parent | BLACK;
    else if ((w[si]! & 1) === BLACK) rebalance = parent;
    w[si] = pc;
    return rebalance;
  }

  /** ____rb_erase_color: every path through `parent`'s child `node` (0 at first) is one black
   *  short; node is black and not the root. */
  private eraseColor(w: Int32Array, parent: number): void {
    let node = 0;
    for (;;) {
      const pi = parent >>> 2;
      let sibling = w[pi + RIGHT]!;
      if (node !== sibling) {
        // node is parent's left child
        let si = sibling >>> 2;
        if ((w[si]! & 1) === RED) {
          // Case 1: left rotate at parent
          const t = w[si + LEFT]!;
          w[pi + RIGHT] = t;
          w[si + LEFT] = parent;
          w[t >>> 2] = parent | BLACK;
          this.rotateSetParents(w, parent, sibling, RED);
          sibling = t;
          si = t >>> 2;
        }
        let tmp1 = w[si + RIGHT]!;
        if (tmp1 === 0 || (w[tmp1 >>> 2]! & 1) === BLACK) {
          const tmp2 = w[si + LEFT]!;
          if (tmp2 === 0 || (w[tmp2 >>> 2]! & 1) === BLACK) {
            // Case 2: sibling colour flip
            w[si] = parent; // red
            const ppc = w[pi]!;
            if ((ppc & 1) === RED) w[pi] = ppc | BLACK;
            else {
              node = parent;
              parent = ppc & ~3;
              if (parent !== 0) continue;
            }
            return;
          }
          // Case 3: right rotate at sibling
          const t2 = tmp2 >>> 2;
          tmp1 = w[t2 + RIGHT]!;
          w[si + LEFT] = tmp1;
          w[t2 + RIGHT] = sibling;
          w[pi + RIGHT] = tmp2;
          if (tmp1 !== 0) w[tmp1 >>> 2] = sibling | BLACK;
          tmp1 = sibling;
          sibling = tmp2;
          si = t2;
        }
        // Case 4: left rotate at parent, colour flips
        const tmp2 = w[si + LEFT]!;
        w[pi + RIGHT] = tmp2;
        w[si + LEFT] = parent;
        w[tmp1 >>> 2] = sibling | BLACK;
        if (tmp2 !== 0) w[tmp2 >>> 2] = parent | (w[tmp2 >>> 2]! & 1);
        this.rotateSetParents(w, parent, sibling, BLACK);
        return;
      } else {
        sibling = w[pi + LEFT]!;
        let si = sibling >>> 2;
        if ((w[si]! & 1) === RED) {
          // Case 1: right rotate at parent
          const t = w[si + RIGHT]!;
          w[pi + LEFT] = t;
          w[si + RIGHT] = parent;
          w[t >>> 2] = parent | BLACK;
          this.rotateSetParents(w, parent, sibling, RED);
          sibling = t;
          si = t >>> 2;
        }
        let tmp1 = w[si + LEFT]!;
        if (tmp1 === 0 || (w[tmp1 >>> 2]! & 1) === BLACK) {
          const tmp2 = w[si + RIGHT]!;
          if (tmp2 === 0 || (w[tmp2 >>> 2]! & 1) === BLACK) {
            // Case 2: sibling colour flip
            w[si] = parent; // red
            const ppc = w[pi]!;
            if ((ppc & 1) === RED) w[pi] = ppc | BLACK;
            else {
              node = parent;
              parent = ppc & ~3;
              if (parent !== 0) continue;
            }
            return;
          }
          // Case 3: left rotate at sibling
          const t2 = tmp2 >>> 2;
          tmp1 = w[t2 + LEFT]!;
          w[si + RIGHT] = tmp1;
          w[t2 + LEFT] = sibling;
          w[pi + LEFT] = tmp2;
          if (tmp1 !== 0) w[tmp1 >>> 2] = sibling | BLACK;
          tmp1 = sibling;
          sibling = tmp2;
          si = t2;
        }
        // Case 4: right rotate at parent, colour flips
        const tmp2 = w[si + RIGHT]!;
        w[pi + LEFT] = tmp2;
        w[si + RIGHT] = parent;
        w[tmp1 >>> 2] = sibling | BLACK;
        if (tmp2 !== 0) w[tmp2 >>> 2] = parent | (w[tmp2 >>> 2]! & 1);
        this.rotateSetParents(w, parent, sibling, BLACK);
        return;
      }
    }
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
