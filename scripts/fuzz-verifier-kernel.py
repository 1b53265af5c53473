#!/usr/bin/env python3
# The host kernel's verdicts on the verifier soundness fuzz's programs (scripts/fuzz-verifier.mjs
# --kernel N). Node has no bpf(2) binding, so this issues BPF_MAP_CREATE and BPF_PROG_LOAD
# through ctypes (scripts/bpf_syscall.py). Needs root.
#
# stdin: one JSON object a line: {"id": n, "progType": t, "maps": [{"type", "keySize",
#        "valueSize", "maxEntries"}], "insns": hex} where an LD_IMM64 with src 1 (MAP_FD) carries
#        the 1-based index of its map in "maps"; the maps are created for the program and closed
#        after it.
# stdout: one JSON object a line: {"id": n, "loaded": bool, "errno": name|null, "error": the
#        log's last line before the `processed` statistic, "log": the whole log when refused}
import ctypes, errno, json, os, struct, sys

from bpf_syscall import bpf

BPF_MAP_CREATE = 0
BPF_PROG_LOAD = 5
LOG_SIZE = 1 << 22


def map_create(m):
    attr = (ctypes.c_ubyte * 72)()
    struct.pack_into("<IIIII", attr, 0, m["type"], m["keySize"], m["valueSize"], m["maxEntries"], 0)
    return bpf(BPF_MAP_CREATE, attr)


def prog_load(insns, prog_type, log):
    code = ctypes.create_string_buffer(bytes(insns), len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = (ctypes.c_ubyte * 128)()
    struct.pack_into("<IIQQIIQ", attr, 0, prog_type, len(insns) // 8, ctypes.addressof(code),
                     ctypes.addressof(lic), 1, LOG_SIZE, ctypes.addressof(log))
    return bpf(BPF_PROG_LOAD, attr)


def one(req, log):
    fds = []
    try:
        for m in req["maps"]:
            fds.append(map_create(m))
        insns = bytearray(bytes.fromhex(req["insns"]))
        for i in range(0, len(insns), 8):
            if insns[i] == 0x18 and (insns[i + 1] >> 4) == 1:
                idx = struct.unpack_from("<i", insns, i + 4)[0]
                struct.pack_into("<i", insns, i + 4, fds[idx - 1])
        ctypes.memset(log, 0, 256)
        try:
            fd = prog_load(insns, req["progType"], log)
            os.close(fd)
            return {"id": req["id"], "loaded": True, "errno": None, "error": ""}
        except OSError as e:
            text = log.value.decode(errors="replace")
            lines = [l for l in text.split("\n") if l.strip() and not l.startswith("processed ")]
            return {"id": req["id"], "loaded": False, "errno": errno.errorcode.get(e.errno, str(e.errno)),
                    "error": lines[-1] if lines else e.strerror, "log": text[-4000:]}
    finally:
        for fd in fds:
            os.close(fd)


def main():
    log = ctypes.create_string_buffer(LOG_SIZE)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            res = one(req, log)
        except OSError as e:
            res = {"id": req.get("id"), "loaded": False, "errno": errno.errorcode.get(e.errno, str(e.errno)),
                   "error": "setup: " + e.strerror, "setup": True}
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
