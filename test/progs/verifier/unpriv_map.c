// SPDX-License-Identifier: MIT
/* Unprivileged loads (issue 17), the map side: map_create refuses a user without CAP_BPF an
 * lru_hash map (EPERM, so `ebpfvm verify --unpriv` of this object fails for every program, as a
 * libbpf load does), while the kernel's test loader leaves such a map uncreated in its @unpriv
 * runs, so the program's load of it is poisoned (libbpf's call to helper 2001000000 + the map's
 * index), which the verifier refuses where reachable and libbpf words as a missing map. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, long long);
} lru SEC(".maps");

SEC("socket")
__description("unpriv: an lru_hash map is not created for an unprivileged user: its load is poisoned")
__success __retval(0)
__failure_unpriv __msg_unpriv("BPF map 'lru' is referenced but wasn't created")
int uses_lru_map(void *ctx)
{
	long long k = 0, *v;

	v = bpf_map_lookup_elem(&lru, &k);
	return v ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
