#!/usr/bin/env python3
# Records which map types the host kernel's map_create gives a user without CAP_BPF, CAP_PERFMON,
# CAP_NET_ADMIN and CAP_SYS_ADMIN (issue 17), for test/fixtures/unpriv-map-create.json: each type is
# created with valid attributes once privileged and once unprivileged (capsh drops the four from the
# bounding set for a child; kernel.unprivileged_bpf_disabled is lowered to 0 meanwhile, under the
# verifier harness's lock, and put back). Storage maps need BTF, which an unprivileged user cannot
# load, and map-in-maps an inner map: they are not probed. Run as root:
#   python3 scripts/record-unpriv-maps.py > test/fixtures/unpriv-map-create.json
import ctypes, fcntl, json, os, struct, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpf_syscall import bpf  # noqa: E402

BPF_MAP_CREATE = 0
SYSCTL = '/proc/sys/kernel/unprivileged_bpf_disabled'
LOCK = '/run/ebpfvm-verifier-harness-unpriv.lock'
# name: (type, key_size, value_size, max_entries, map_flags, map_extra)
CASES = {
    'hash': (1, 4, 8, 1, 0, 0), 'array': (2, 4, 8, 1, 0, 0), 'prog_array': (3, 4, 4, 1, 0, 0),
    'perf_event_array': (4, 4, 4, 1, 0, 0), 'percpu_hash': (5, 4, 8, 1, 0, 0), 'percpu_array': (6, 4, 8, 1, 0, 0),
    'stack_trace': (7, 4, 64, 1, 0, 0), 'cgroup_array': (8, 4, 4, 1, 0, 0), 'lru_hash': (9, 4, 8, 1, 0, 0),
    'lru_percpu_hash': (10, 4, 8, 1, 0, 0), 'lpm_trie': (11, 8, 4, 1, 1, 0), 'devmap': (14, 4, 4, 1, 0, 0),
    'sockmap': (15, 4, 4, 1, 0, 0), 'cpumap': (16, 4, 4, 1, 0, 0), 'xskmap': (17, 4, 4, 1, 0, 0),
    'sockhash': (18, 4, 4, 1, 0, 0), 'cgroup_storage': (19, 16, 8, 0, 0, 0), 'reuseport_sockarray': (20, 4, 4, 1, 0, 0),
    'percpu_cgroup_storage': (21, 16, 8, 0, 0, 0), 'queue': (22, 0, 4, 1, 0, 0), 'stack': (23, 0, 4, 1, 0, 0),
    'devmap_hash': (25, 4, 4, 1, 0, 0), 'ringbuf': (27, 0, 0, 4096, 0, 0), 'bloom_filter': (30, 0, 4, 1, 0, 3),
    'user_ringbuf': (31, 0, 0, 4096, 0, 0), 'hash (BPF_F_ZERO_SEED)': (1, 4, 8, 1, 1 << 6, 0),
}


def probe():
    out = {}
    for name, (t, k, v, m, f, x) in CASES.items():
        attr = (ctypes.c_ubyte * 128)()
        struct.pack_into('<IIIII', attr, 0, t, k, v, m, f)
        struct.pack_into('<Q', attr, 64, x)
        try:
            os.close(bpf(BPF_MAP_CREATE, attr))
            out[name] = 'ok'
        except OSError as e:
            out[name] = os.strerror(e.errno)
    return out


if sys.argv[1:] == ['--probe']:
    print(json.dumps(probe()))
    sys.exit(0)

priv = probe()
with open(LOCK, 'w') as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    old = open(SYSCTL).read().strip()
    try:
        if old != '0':
            open(SYSCTL, 'w').write('0')
        r = subprocess.run(['capsh', '--drop=cap_bpf,cap_perfmon,cap_net_admin,cap_sys_admin', '--',
                            '-c', f'exec python3 {os.path.abspath(__file__)} --probe'], capture_output=True, text=True, check=True)
    finally:
        if old != '0':
            open(SYSCTL, 'w').write(old)
unpriv = json.loads(r.stdout)
kernel = os.uname().release
print(json.dumps({'kernel': kernel, 'types': {n: {'type': CASES[n][0], 'flags': CASES[n][4], 'priv': priv[n], 'unpriv': unpriv[n]} for n in CASES}}, indent=2))
