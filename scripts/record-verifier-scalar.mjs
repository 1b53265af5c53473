#!/usr/bin/env node
// Records how the host kernel's verifier tracks scalars, for test/verifier/scalar-kernel.test.ts.
// Generates small `__naked` socket-filter programs that build ranged inputs (from
// bpf_get_prandom_u32 and bounds checks) and then run every ALU op (ALU and ALU64, register and
// immediate forms) and every conditional jump (JMP and JMP32, register and immediate) on them;
// compiles them with clang-19, loads them with `bpftool -d prog loadall` (level-2 log: the register
// state after every instruction), and writes, per program, its instructions and its log to
// test/fixtures/verifier-scalar/<group>.json. The generated C is not committed (the fixture holds
// the instructions); the pins are removed afterwards.
//
//   node scripts/record-verifier-scalar.mjs           re-record every group
//   node scripts/record-verifier-scalar.mjs --keep    also leave the generated C and objects in /tmp
//
// Needs root, bpffs, clang-19, llvm-objcopy-19, llvm-nm-19 and bpftool.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'test/fixtures/verifier-scalar');
const keep = process.argv.includes('--keep');

// ---- inputs: asm that leaves a ranged scalar in register `r` (may clobber r0-r5) -------------------
/** name -> (reg) => asm lines. `bail` jumps to the common exit. */
const INPUTS = {
  u100: (r) => [`call %[rnd]`, `${r} = r0`, `if ${r} > 100 goto l_bail_%=`],
  s5_3: (r) => [`call %[rnd]`, `${r} = r0`, `if ${r} s> 3 goto l_bail_%=`, `if ${r} s< -5 goto l_bail_%=`],
  tnum: (r) => [`call %[rnd]`, `${r} = r0`, `${r} &= 0xff00`, `${r} |= 3`],
  w1000: (r) => [`call %[rnd]`, `${r} = r0`, `if w${r.slice(1)} > 1000 goto l_bail_%=`],
  big: (r) => [`call %[rnd]`, `${r} = r0`, `${r} &= 0xff`, `r1 = 0x100000000 ll`, `${r} += r1`],
  ws: (r) => [`call %[rnd]`, `${r} = r0`, `if w${r.slice(1)} s> -1 goto l_bail_%=`, `if w${r.slice(1)} s< -300 goto l_bail_%=`],
  unk: (r) => [`call %[rnd]`, `${r} = r0`],
  k7: (r) => [`${r} = 7`],
  sgn: (r) => [`call %[rnd]`, `${r} = r0`, `${r} &= 15`, `r1 = 0x7ffffffffffffffb ll`, `${r} += r1`],
  neg64: (r) => [`call %[rnd]`, `${r} = r0`, `if ${r} s> -2 goto l_bail_%=`, `if ${r} s< -1000 goto l_bail_%=`],
  s16: (r) => [`call %[rnd]`, `${r} = r0`, `${r} = (s16)${r}`],
  k3: (r) => [`${r} = 3`],
  u32x: (r) => [`call %[rnd]`, `${r} = r0`, `${r} &= 0xfffffff0`, `if ${r} < 0x10000 goto l_bail_%=`],
  hi: (r) => [`call %[rnd]`, `${r} = r0`, `${r} <<= 40`, `${r} |= 0x7f`],
};

const BIN_OPS = [
  ['add', '+='],
  ['sub', '-='],
  ['mul', '*='],
  ['div', '/='],
  ['sdiv', 's/='],
  ['mod', '%%='],
  ['smod', 's%%='],
  ['or', '|='],
  ['and', '&='],
  ['xor', '^='],
  ['lsh', '<<='],
  ['rsh', '>>='],
  ['arsh', 's>>='],
];

/** dst op= imm, both widths (shifts only in range for the width). */
const IMM_OPS = [
  ['+=', [3, -7, 0x7fffffff]],
  ['-=', [3, -7]],
  ['*=', [3, -3, 0x10000]],
  ['/=', [3]],
  ['s/=', [-3]],
  ['%%=', [5]],
  ['s%%=', [3]],
  ['|=', [0x10, -16]],
  ['&=', [0xff00ff, -16, 0x7fffffff]],
  ['^=', [0x55, -1]],
  ['<<=', [3, 31, 32, 63]],
  ['>>=', [3, 31, 32, 63]],
  ['s>>=', [3, 31, 32, 60]],
];

function unaryLines() {
  const out = [];
  for (const [op, imms] of IMM_OPS) {
    for (const k of imms) {
      out.push(`r8 = r6`, `r8 ${op} ${k}`);
      const isShift = op.includes('<<') || op.includes('>>');
      if (!isShift || k < 32) out.push(`w8 = w6`, `w8 ${op} ${k}`);
    }
  }
  out.push(`r8 = r6`, `r8 = -r8`, `w8 = w6`, `w8 = -w8`);
  for (const sx of [8, 16, 32]) out.push(`r8 = (s${sx})r6`);
  for (const sx of [8, 16]) out.push(`w8 = (s${sx})w6`);
  for (const w of [16, 32, 64]) out.push(`r8 = r6`, `r8 = be${w} r8`, `r8 = r6`, `r8 = le${w} r8`, `r8 = r6`, `r8 = bswap${w} r8`);
  out.push(`r8 = r6`, `w8 = w6`);
  return out;
}

function binaryLines() {
  const out = [];
  for (const [, op] of BIN_OPS) out.push(`r8 = r6`, `r8 ${op} r7`, `w8 = w6`, `w8 ${op} w7`);
  return out;
}

const CONDS = ['==', '!=', '>', '>=', '<', '<=', '&', 's>', 's>=', 's<', 's<='];

function program(name, body) {
  return `SEC("socket")
__attribute__((naked)) int ${name}(void)
{
	asm volatile (
${body.map((l) => (l.endsWith(":") ? `"${l}"` : `\t"${l};"`)).join('\n')}
	"r0 = 0;"
	"exit;"
${body.some((l) => l.includes('l_bail')) ? '"l_bail_%=:"\n\t"r0 = 0;"\n\t"exit;"\n' : ''}	:
	: [rnd] "i"(BPF_FUNC_get_prandom_u32)
	: "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
}
`;
}

/** Each group: [name, asm lines][]. */
function groups() {
  const alu = [];
  for (const d of Object.keys(INPUTS)) alu.push([`imm_${d}`, [...INPUTS[d]('r6'), `r0 = 0`, ...unaryLines()]]);
  for (const d of Object.keys(INPUTS))
    for (const s of ['u100', 's5_3', 'tnum', 'k7', 'k3', 'w1000', 'sgn'])
      alu.push([`reg_${d}_${s}`, [...INPUTS[d]('r6'), ...INPUTS[s]('r7'), `r0 = 0`, ...binaryLines()]]);

  const br = [];
  const pairs = [
    ['u100', 's5_3'],
    ['s5_3', 'u100'],
    ['tnum', 'w1000'],
    ['big', 'u100'],
    ['sgn', 'neg64'],
    ['ws', 's5_3'],
    ['unk', 'k7'],
    ['u32x', 'hi'],
    ['neg64', 'ws'],
    ['s16', 'tnum'],
  ];
  const imms = [50, -3, 0x300, 0, 0x7fffffff];
  const dsts = ['u100', 's5_3', 'tnum', 'big', 'sgn', 'ws', 'unk', 'neg64', 's16', 'u32x'];
  CONDS.forEach((c, ci) => {
    for (const w of ['r', 'w']) {
      for (const [d, s] of pairs) {
        br.push([`br${ci}${w}_${d}_${s}`, [...INPUTS[d]('r6'), ...INPUTS[s]('r7'), `r0 = 0`, `if ${w}6 ${c} ${w}7 goto l_t_%=`, `r0 = 0`, `exit`, `l_t_%=:`, `r0 = 1`]]);
      }
      dsts.forEach((d, i) => {
        const k = imms[i % imms.length];
        br.push([`bk${ci}${w}_${d}_${i}`, [...INPUTS[d]('r6'), `r0 = 0`, `if ${w}6 ${c} ${k} goto l_t_%=`, `r0 = 0`, `exit`, `l_t_%=:`, `r0 = 1`]]);
      });
    }
  });
  return { alu, branch: br, random: randomPrograms(160, 0x5eed) };
}

/** Seeded random walks over r6-r9: ALU ops with interesting immediates and between registers,
 *  and conditional bail-outs, so the 32/64-bit and signed/unsigned deductions meet each other.
 *  No register-to-register moves: the kernel would link the copies by id (the core's business). */
function randomPrograms(count, seed) {
  let x = BigInt(seed);
  const rnd = (n) => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return Number(x % BigInt(n));
  };
  const pick = (a) => a[rnd(a.length)];
  const IMMS = [0, 1, 2, 3, 7, 8, 15, 16, 31, 255, 256, 0xffff, 0x10000, 0x7fffffff, -1, -2, -8, -256, -0x80000000, 0x12345678, -0x1000];
  const ALU = ['+=', '-=', '*=', '&=', '|=', '^=', '/=', '%=', 's/=', 's%='];
  const SHIFTS = ['<<=', '>>=', 's>>='];
  const inputs = Object.keys(INPUTS);
  const regs = ['r6', 'r7', 'r8', 'r9'];
  const progs = [];
  for (let p = 0; p < count; p++) {
    const body = [];
    for (const r of regs) body.push(...INPUTS[pick(inputs)](r));
    body.push('r0 = 0');
    const steps = 12 + rnd(14);
    for (let i = 0; i < steps; i++) {
      const w = rnd(2) ? 'r' : 'w';
      const d = pick(regs).slice(1);
      const s = pick(regs).slice(1);
      const kind = rnd(10);
      if (kind < 3) {
        const op = pick(ALU);
        let k = pick(IMMS);
        if (k === 0 && op.includes('/')) k = 3;
        if (k === 0 && op.includes('%')) k = 5;
        body.push(`${w}${d} ${op.replace('%', '%%')} ${k}`);
      } else if (kind < 4) {
        body.push(`${w}${d} ${pick(SHIFTS)} ${rnd(w === 'r' ? 64 : 32)}`);
      } else if (kind < 6) {
        body.push(`${w}${d} ${pick([...ALU, ...SHIFTS]).replace('%', '%%')} ${w}${s}`);
      } else if (kind < 7) {
        body.push(pick([`r${d} = -r${d}`, `w${d} = -w${d}`, `r${d} = (s8)r${d}`, `r${d} = (s16)r${d}`, `r${d} = (s32)r${d}`, `w${d} = (s8)w${d}`, `w${d} = (s16)w${d}`, `r${d} = be16 r${d}`, `r${d} = le32 r${d}`, `r${d} = bswap32 r${d}`, `r${d} = bswap64 r${d}`, `w${d} = w${d}`]));
      } else {
        const rhs = rnd(2) ? `${w}${s}` : String(pick(IMMS));
        body.push(`if ${w}${d} ${pick(CONDS)} ${rhs} goto l_bail_%=`);
      }
    }
    progs.push([`rnd${p}`, body]);
  }
  return progs;
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
}

function record(group, progs, work, kernel) {
  const src = `#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\n${progs.map(([n, b]) => program(n, b)).join('\n')}\nchar _license[] SEC("license") = "GPL";\n`;
  const c = join(work, `${group}.c`);
  const o = join(work, `${group}.o`);
  writeFileSync(c, src);
  sh('clang-19', ['-O2', '-g', '-target', 'bpf', '-mcpu=v4', '-I', join(root, 'include'), '-I/usr/include/x86_64-linux-gnu', '-c', c, '-o', o]);
  const text = join(work, `${group}.text`);
  sh('llvm-objcopy-19', ['--dump-section', `socket=${text}`, o]);
  const bytes = readFileSync(text);
  const syms = new Map();
  for (const line of sh('llvm-nm-19', ['-S', '--defined-only', o]).split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) T (\w+)$/.exec(line.trim());
    if (m) syms.set(m[3], [parseInt(m[1], 16), parseInt(m[2], 16)]);
  }
  const pin = `/sys/fs/bpf/ebpfvm-vscalar-${process.pid}`;
  rmSync(pin, { recursive: true, force: true });
  const r = spawnSync('bpftool', ['-d', 'prog', 'loadall', o, pin], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(pin, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  const logs = new Map();
  const re = /libbpf: prog '(\w+)': -- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/g;
  for (const m of out.matchAll(re)) logs.set(m[1], m[2]);
  if (r.status !== 0) throw new Error(`bpftool failed for ${group}:\n${out.slice(-3000)}`);
  const programs = {};
  for (const [name, body] of progs) {
    const [off, size] = syms.get(name) ?? [];
    if (off === undefined) throw new Error(`no symbol ${name}`);
    const log = logs.get(name);
    if (!log) throw new Error(`no log for ${name}`);
    // keep only the state lines (drop the liveness table and source comments)
    // (the column padding before `;` is squeezed to one space)
    const kept = log.split('\n').filter((l) => /^(\d+: |from \d+ to \d+: |processed )/.test(l)).map((l) => l.replace(/ {2,}; /, ' ; '));
    programs[name] = { asm: body.join('; '), insns: bytes.subarray(off, off + size).toString('hex'), log: kept.join('\n') };
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${group}.json`), `${JSON.stringify({ kernel, generator: 'scripts/record-verifier-scalar.mjs', programs }, null, 1)}\n`);
  console.log(`${group}: ${progs.length} programs`);
}

const kernel = sh('uname', ['-r']).trim();
const work = mkdtempSync(join(tmpdir(), 'vscalar-'));
try {
  for (const [group, progs] of Object.entries(groups())) record(group, progs, work, kernel);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
