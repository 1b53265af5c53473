#!/usr/bin/env python3
# Produces samples into a pinned BPF_MAP_TYPE_USER_RINGBUF as libbpf's user_ring_buffer__reserve
# and __submit (or __discard) do, for scripts/record-kernel.mjs: maps the consumer page read-only
# and the producer page plus the data area (mapped twice, so a sample that wraps is contiguous)
# writable, writes each record's 8-byte header and sample at producer_pos and moves it.
#
# argv[1]: pinned map path; argv[2]: JSON list of samples, each a hex string (submitted) or
# {"discard": hex} (discarded); argv[3]: the map's max_entries (its data area size)
import json, mmap, struct, sys

from bpf_syscall import obj_get

BUSY = 0x80000000
DISCARD = 0x40000000
PAGE = mmap.PAGESIZE


def main():
    fd = obj_get(sys.argv[1])
    size = int(sys.argv[3])
    cons = mmap.mmap(fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ, offset=0)
    prod = mmap.mmap(fd, PAGE + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=PAGE)
    for s in json.loads(sys.argv[2]):
        discard = isinstance(s, dict)
        data = bytes.fromhex(s["discard"] if discard else s)
        total = (len(data) + 8 + 7) & ~7
        cpos = struct.unpack_from("<Q", cons, 0)[0]
        ppos = struct.unpack_from("<Q", prod, 0)[0]
        if size - (ppos - cpos) < total:
            sys.exit(f"no room for a {len(data)}-byte sample")
        off = PAGE + (ppos & (size - 1))
        struct.pack_into("<II", prod, off, len(data) | BUSY, 0)
        prod[off + 8:off + 8 + len(data)] = data
        struct.pack_into("<I", prod, off, len(data) | (DISCARD if discard else 0))
        struct.pack_into("<Q", prod, 0, ppos + total)
    print("ok")


main()
