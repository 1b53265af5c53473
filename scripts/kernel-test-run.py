#!/usr/bin/env python3
# One BPF_PROG_TEST_RUN on a pinned program, for scripts/record-kernel.mjs. bpftool cannot do
# this for syscall programs (it always passes repeat=1 and a ctx_out buffer, which the kernel
# refuses for them), and Node has no bpf(2) binding, so this issues the syscall through ctypes.
#
# stdin: {"pin": path, "data": hex|null, "ctx": hex|null, "repeat": n, "syscall": bool}, or
#        {"insns": hex, "data": hex, ...} to load raw instructions as a socket filter first
#        (scripts/conformance-run.mjs --kernel; the program is closed when this process exits)
# stdout: {"retval": u32, "duration": ns, "data_out": hex|null, "ctx_out": hex|null}
#      or {"errno": "EINVAL", "message": "..."} when the kernel refuses the run.
import ctypes, errno, json, os, platform, struct, sys

from bpf_syscall import NR_BPF, bpf, obj_get, prog_load

BPF_PROG_TYPE_SOCKET_FILTER = 1

BPF_PROG_TEST_RUN = 10


def test_run(fd, data, ctx, repeat, syscall):
    attr = (ctypes.c_ubyte * 80)()
    data_in = ctypes.create_string_buffer(data, len(data)) if data is not None else None
    # room for every packet a program can grow (BPF_SKB_MAX_LEN is 16064; ebpfvm always returns
    # the whole packet, never -ENOSPC)
    out_size = (len(data) + 65536) if data is not None else 0
    data_out = ctypes.create_string_buffer(out_size) if out_size else None
    ctx_in = ctypes.create_string_buffer(ctx, len(ctx)) if ctx is not None else None
    # The kernel refuses ctx_out for syscall programs; it writes the buffer back into ctx_in.
    ctx_out_size = 0 if syscall or ctx is None else max(len(ctx), 256)
    ctx_out = ctypes.create_string_buffer(ctx_out_size) if ctx_out_size else None
    addr = lambda b: ctypes.addressof(b) if b is not None else 0
    struct.pack_into("<IIIIQQIIIIQQIII", attr, 0,
                     fd, 0, len(data) if data is not None else 0, out_size, addr(data_in), addr(data_out),
                     repeat, 0, len(ctx) if ctx is not None else 0, ctx_out_size, addr(ctx_in), addr(ctx_out),
                     0, 0, 0)
    bpf(BPF_PROG_TEST_RUN, attr)
    (_, retval, _, size_out, _, _, _, duration, _, ctx_size_out) = struct.unpack_from("<IIIIQQIIII", attr, 0)
    res = {"retval": retval, "duration": duration, "data_out": None, "ctx_out": None}
    if data_out is not None:
        res["data_out"] = data_out.raw[:size_out].hex()
    if syscall and ctx_in is not None:
        res["ctx_out"] = ctx_in.raw[:len(ctx)].hex()
    elif ctx_out is not None:
        res["ctx_out"] = ctx_out.raw[:ctx_size_out].hex()
    return res


def main():
    req = json.load(sys.stdin)
    if NR_BPF is None:
        print(json.dumps({"errno": "ENOSYS", "message": "unknown architecture " + platform.machine()}))
        return
    try:
        fd = prog_load(bytes.fromhex(req["insns"]), BPF_PROG_TYPE_SOCKET_FILTER) if "insns" in req else obj_get(req["pin"])
        data = bytes.fromhex(req["data"]) if req.get("data") is not None else None
        ctx = bytes.fromhex(req["ctx"]) if req.get("ctx") is not None else None
        res = test_run(fd, data, ctx, req.get("repeat", 0), req.get("syscall", False))
    except OSError as e:
        res = {"errno": errno.errorcode.get(e.errno, str(e.errno)), "message": e.strerror}
    except (KeyError, ValueError) as e:
        res = {"errno": "EINVAL", "message": "bad request: " + str(e)}
    print(json.dumps(res))


main()
