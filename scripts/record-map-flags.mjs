#!/usr/bin/env node
// Ask the host kernel which map_flags each map type accepts at BPF_MAP_CREATE (`bpftool map create`,
// as root, bpffs at /sys/fs/bpf) and write test/fixtures/map-flags/map_create_flags.json. Every type
// ebpfvm implements is created with a valid base definition plus one flag bit at a time (and with
// none); the answer is 0 or the errno name. test/maps/create-flags.test.ts replays the table
// against Runtime.createMap.
//
//   node scripts/record-map-flags.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';

const PIN = '/sys/fs/bpf/ebpfvm_flags_probe';
const INNER = '/sys/fs/bpf/ebpfvm_flags_inner';

// type name for bpftool, numeric type, base key/value/entries and base flags (lpm_trie needs
// BPF_F_NO_PREALLOC), plus whether the type needs an inner map.
const TYPES = [
  ['hash', 1, 4, 8, 4, 0],
  ['array', 2, 4, 8, 4, 0],
  ['prog_array', 3, 4, 4, 4, 0],
  ['perf_event_array', 4, 4, 4, 4, 0],
  ['percpu_hash', 5, 4, 8, 4, 0],
  ['percpu_array', 6, 4, 8, 4, 0],
  ['lru_hash', 9, 4, 8, 4, 0],
  ['lru_percpu_hash', 10, 4, 8, 4, 0],
  ['lpm_trie', 11, 8, 8, 4, 1],
  ['array_of_maps', 12, 4, 4, 4, 0, true],
  ['hash_of_maps', 13, 4, 4, 4, 0, true],
  ['devmap', 14, 4, 4, 4, 0],
  ['cpumap', 16, 4, 4, 4, 0],
  ['queue', 22, 0, 4, 4, 0],
  ['stack', 23, 0, 4, 4, 0],
  ['devmap_hash', 25, 4, 4, 4, 0],
  ['ringbuf', 27, 0, 0, 4096, 0],
  ['bloom_filter', 30, 0, 4, 4, 0],
];

// uapi BPF_F_* map flags, bits 0..12 (NO_PREALLOC .. INNER_MAP).
const FLAG_BITS = 13;

const ERRNO_BY_TEXT = {
  'Invalid argument': 'EINVAL',
  'Argument list too long': 'E2BIG',
  'Operation not permitted': 'EPERM',
  'Cannot allocate memory': 'ENOMEM',
  'Operation not supported': 'EOPNOTSUPP',
  'Unknown error 524': 'ENOTSUPP',
  'Bad file descriptor': 'EBADF',
  'No such device': 'ENODEV',
  'Permission denied': 'EACCES',
};

function bpftool(args) {
  try {
    execFileSync('bpftool', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return 0;
  } catch (e) {
    const text = String(e.stderr ?? '');
    const m = /map create failed: (.*)/.exec(text);
    if (!m) throw new Error(`bpftool ${args.join(' ')}: ${text}`);
    const name = ERRNO_BY_TEXT[m[1].trim()];
    if (!name) throw new Error(`unknown error text "${m[1]}"`);
    return name;
  }
}

function clean() {
  for (const p of [PIN, INNER]) if (existsSync(p)) rmSync(p);
}

clean();
const rows = [];
try {
  execFileSync('bpftool', ['map', 'create', INNER, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'inner']);
  for (const [name, type, key, value, entries, baseFlags, needsInner] of TYPES) {
    for (let bit = -1; bit < FLAG_BITS; bit++) {
      const flags = baseFlags | (bit < 0 ? 0 : 1 << bit);
      const args = ['map', 'create', PIN, 'type', name, 'key', String(key), 'value', String(value), 'entries', String(entries), 'name', 'probe', 'flags', String(flags)];
      if (needsInner) args.push('inner_map', 'pinned', INNER);
      const result = bpftool(args);
      if (existsSync(PIN)) rmSync(PIN);
      rows.push({ type: name, typeId: type, keySize: key, valueSize: value, maxEntries: entries, flags, result });
    }
  }
} finally {
  clean();
}

const out = {
  source: `bpftool map create on Linux ${release()}, recorded by scripts/record-map-flags.mjs`,
  rows,
};
// One row per line keeps the fixture reviewable.
const text = `{\n "source": ${JSON.stringify(out.source)},\n "rows": [\n${rows.map((r) => '  ' + JSON.stringify(r)).join(',\n')}\n ]\n}\n`;
writeFileSync(new URL('../test/fixtures/map-flags/map_create_flags.json', import.meta.url), text);
console.log(`${rows.length} rows, ${rows.filter((r) => r.result === 0).length} accepted`);
