// SPDX-License-Identifier: MIT
/* sk_skb programs (stream parser, stream verdict, skb verdict: struct __sk_buff with
 * sk_skb_is_valid_access, helpers of sk_skb_func_proto): the connection's address fields and
 * direct packet access (reads and writes after a bounds check), writes to tc_index and priority
 * only, no mark at all, no tc_classid, data_meta, tstamp, wire_len or hwtstamp; sk a socket that
 * may be NULL. Helpers: the skb load/store/pull/change ones (pull and change invalidate the packet
 * pointers), the socket cookie and uid, the sockmap/sockhash redirects, socket lookups and what
 * bpf_sk_base_func_proto adds; not the tc ones (checksums, redirect, csum_diff, check_mtu). The kernel
 * cannot test-run this type, so none carries a __retval. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, int);
} skb_sockmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, int);
} skb_sockhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} skb_perf SEC(".maps");

SEC("sk_skb/stream_verdict")
__description("sk_skb: bounds-checked packet read and write, the connection's fields")
__success
__naked void skb_fields(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);" "r4 = r2;" "r4 += 4;"
		      "if r4 > r3 goto 1f;" "r5 = *(u8 *)(r2 + 0);" "*(u8 *)(r2 + 3) = r5;"
		      "1:" "r2 = *(u32 *)(r1 + 0);" "r2 = *(u32 *)(r1 + 88);" "r2 = *(u32 *)(r1 + 92);"
		      "r2 = *(u32 *)(r1 + 96);" "r2 = *(u32 *)(r1 + 128);" "r2 = *(u32 *)(r1 + 132);"
		      "r2 = *(u16 *)(r1 + 136);" "r2 = *(u32 *)(r1 + 48);" "r2 = *(u32 *)(r1 + 68);"
		      "r2 = *(u32 *)(r1 + 84);" "r2 = *(u32 *)(r1 + 164);" "r2 = *(u32 *)(r1 + 176);"
		      "r2 = *(u8 *)(r1 + 16);" "r0 = 1;" "exit;"
		::: __clobber_all);
}

SEC("sk_skb/stream_parser")
__description("sk_skb: tc_index and priority are writable")
__success
__naked void skb_write_tc_index_priority(void)
{
	asm volatile ("w2 = 7;" "*(u32 *)(r1 + 44) = r2;" "*(u32 *)(r1 + 32) = r2;" "r0 = *(u32 *)(r1 + 0);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: mark is not readable")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void skb_read_mark(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 8);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: mark is not writable")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void skb_write_mark(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 8) = r2;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: cb is read-only")
__failure __msg("invalid bpf_context access off=48 size=4")
__naked void skb_write_cb(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 48) = r2;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: len is read-only")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void skb_write_len(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 0) = r2;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no tc_classid")
__failure __msg("invalid bpf_context access off=72 size=4")
__naked void skb_read_tc_classid(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 72);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no data_meta")
__failure __msg("invalid bpf_context access off=140 size=4")
__naked void skb_read_data_meta(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 140);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no tstamp")
__failure __msg("invalid bpf_context access off=152 size=8")
__naked void skb_read_tstamp(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 152);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no wire_len")
__failure __msg("invalid bpf_context access off=160 size=4")
__naked void skb_read_wire_len(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 160);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no hwtstamp")
__failure __msg("invalid bpf_context access off=184 size=8")
__naked void skb_read_hwtstamp(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 184);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: the address fields are read as whole u32")
__failure __msg("invalid bpf_context access off=92 size=2")
__naked void skb_read_remote_ip4_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 92);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: sk may be NULL")
__failure __msg("R1 invalid mem access 'sock_common_or_null'")
__naked void skb_sk_null(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + 168);" "r0 = *(u32 *)(r1 + 4);" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: sk after a NULL check")
__success
__naked void skb_sk_checked(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + 168);" "r0 = 0;" "if r1 == 0 goto 1f;" "r0 = *(u32 *)(r1 + 4);" "1:" "exit;" ::: __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: the packet is unreadable after bpf_skb_pull_data")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void skb_pull_invalidates(void)
{
	asm volatile ("r6 = r1;" "r7 = *(u32 *)(r1 + 76);" "r8 = *(u32 *)(r1 + 80);" "r4 = r7;" "r4 += 4;"
		      "if r4 > r8 goto 1f;" "r1 = r6;" "r2 = 4;" "call %[bpf_skb_pull_data];"
		      "r2 = r7;" "r0 = *(u8 *)(r2 + 0);"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_skb_pull_data) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: load, store, change tail and head, adjust room")
__success
__naked void skb_data_helpers(void)
{
	asm volatile ("r6 = r1;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 4;" "call %[bpf_skb_load_bytes];"
		      "r1 = r6;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 4;" "r5 = 0;" "call %[bpf_skb_store_bytes];"
		      "r1 = r6;" "r2 = 64;" "r3 = 0;" "call %[bpf_skb_change_tail];"
		      "r1 = r6;" "r2 = 14;" "r3 = 0;" "call %[bpf_skb_change_head];"
		      "r1 = r6;" "r2 = 4;" "r3 = 0;" "r4 = 0;" "call %[bpf_skb_adjust_room];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_skb_store_bytes), __imm(bpf_skb_change_tail),
		   __imm(bpf_skb_change_head), __imm(bpf_skb_adjust_room) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: socket cookie and uid")
__success
__naked void skb_cookie_uid(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_socket_cookie];" "r1 = r6;" "call %[bpf_get_socket_uid];" "r0 = 1;" "exit;"
		:: __imm(bpf_get_socket_cookie), __imm(bpf_get_socket_uid) : __clobber_all);
}

SEC("sk_skb/stream_verdict")
__description("sk_skb: redirect through a sockmap")
__success
__naked void skb_redirect_map(void)
{
	asm volatile ("r2 = %[skb_sockmap] ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_sk_redirect_map];" "exit;"
		:: __imm(bpf_sk_redirect_map), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb/stream_verdict")
__description("sk_skb: redirect through a sockhash")
__success
__naked void skb_redirect_hash(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[skb_sockhash] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_redirect_hash];" "exit;"
		:: __imm(bpf_sk_redirect_hash), __imm_addr(skb_sockhash) : __clobber_all);
}

SEC("sk_skb/stream_verdict")
__description("sk_skb: bpf_sk_redirect_map takes a sockmap only")
__failure __msg("cannot pass map_type 2 into func bpf_sk_redirect_map#52")
__naked void skb_redirect_map_array(void)
{
	asm volatile ("r2 = %[map_array_48b] ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_sk_redirect_map];" "exit;"
		:: __imm(bpf_sk_redirect_map), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("sk_skb/stream_verdict")
__description("sk_skb: bpf_sk_redirect_hash takes a sockhash only")
__failure __msg("cannot pass map_type 15 into func bpf_sk_redirect_hash#72")
__naked void skb_redirect_hash_sockmap(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[skb_sockmap] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_redirect_hash];" "exit;"
		:: __imm(bpf_sk_redirect_hash), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: a socket from a sockmap must be released")
__failure __msg("Unreleased reference")
__naked void skb_sockmap_lookup_leak(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = r10;" "r2 += -4;" "r1 = %[skb_sockmap] ll;"
		      "call %[bpf_map_lookup_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: perf event output with the packet")
__success
__naked void skb_perf_output(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "r2 = %[skb_perf] ll;" "r3 = 0xffffffff ll;" "r4 = r10;" "r4 += -8;" "r5 = 8;"
		      "call %[bpf_perf_event_output];" "r0 = 1;" "exit;"
		:: __imm(bpf_perf_event_output), __imm_addr(skb_perf) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: bpf_skc_to_tcp_sock and bpf_ktime_get_coarse_ns")
__success
__naked void skb_sk_base(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_ktime_get_coarse_ns];" "r1 = *(u64 *)(r6 + 168);" "if r1 == 0 goto 1f;"
		      "call %[bpf_skc_to_tcp_sock];" "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_ktime_get_coarse_ns), __imm(bpf_skc_to_tcp_sock) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_skb_load_bytes_relative")
__failure __msg("program of this type cannot use helper bpf_skb_load_bytes_relative#68")
__naked void skb_no_load_relative(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 4;" "r5 = 0;" "call %[bpf_skb_load_bytes_relative];" "r0 = 1;" "exit;"
		:: __imm(bpf_skb_load_bytes_relative) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_csum_diff")
__failure __msg("program of this type cannot use helper bpf_csum_diff#28")
__naked void skb_no_csum_diff(void)
{
	asm volatile ("r1 = 0;" "r2 = 0;" "r3 = 0;" "r4 = 0;" "r5 = 0;" "call %[bpf_csum_diff];" "r0 = 1;" "exit;"
		:: __imm(bpf_csum_diff) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_l3_csum_replace")
__failure __msg("program of this type cannot use helper bpf_l3_csum_replace#10")
__naked void skb_no_l3_csum(void)
{
	asm volatile ("r2 = 0;" "r3 = 0;" "r4 = 0;" "r5 = 2;" "call %[bpf_l3_csum_replace];" "r0 = 1;" "exit;"
		:: __imm(bpf_l3_csum_replace) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_l4_csum_replace")
__failure __msg("program of this type cannot use helper bpf_l4_csum_replace#11")
__naked void skb_no_l4_csum(void)
{
	asm volatile ("r2 = 0;" "r3 = 0;" "r4 = 0;" "r5 = 2;" "call %[bpf_l4_csum_replace];" "r0 = 1;" "exit;"
		:: __imm(bpf_l4_csum_replace) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_redirect")
__failure __msg("program of this type cannot use helper bpf_redirect#23")
__naked void skb_no_redirect(void)
{
	asm volatile ("r1 = 1;" "r2 = 0;" "call %[bpf_redirect];" "exit;" :: __imm(bpf_redirect) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_msg_apply_bytes")
__failure __msg("program of this type cannot use helper bpf_msg_apply_bytes#61")
__naked void skb_no_msg_apply(void)
{
	asm volatile ("r2 = 1;" "call %[bpf_msg_apply_bytes];" "exit;" :: __imm(bpf_msg_apply_bytes) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_sk_select_reuseport")
__failure __msg("program of this type cannot use helper bpf_sk_select_reuseport#82")
__naked void skb_no_select_reuseport(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[skb_sockmap] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_select_reuseport];" "exit;"
		:: __imm(bpf_sk_select_reuseport), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_get_hash_recalc")
__failure __msg("program of this type cannot use helper bpf_get_hash_recalc#34")
__naked void skb_no_hash_recalc(void)
{
	asm volatile ("call %[bpf_get_hash_recalc];" "exit;" :: __imm(bpf_get_hash_recalc) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_check_mtu")
__failure __msg("program of this type cannot use helper bpf_check_mtu#163")
__naked void skb_no_check_mtu(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = 0;" "r3 = r10;" "r3 += -4;" "r4 = 0;" "r5 = 0;" "call %[bpf_check_mtu];" "exit;"
		:: __imm(bpf_check_mtu) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: socket lookup and release")
__success
__naked void skb_sk_lookup(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;"
		      "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "*(u64 *)(r10 - 48) = r2;"
		      "r2 = r10;" "r2 += -48;" "r3 = 12;" "r4 = 0;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		      "if r0 == 0 goto 1f;" "r1 = r0;" "call %[bpf_sk_release];" "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("sk_skb/verdict")
__description("sk_skb: the skb verdict hook (sk_skb/verdict) has the same rules")
__success
__naked void skb_verdict_hook(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 44) = r2;" "r2 = %[skb_sockmap] ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_sk_redirect_map];" "exit;"
		:: __imm(bpf_sk_redirect_map), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_probe_read (tracing only)")
__failure __msg("program of this type cannot use helper bpf_probe_read#4")
__naked void skb_no_probe_read(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 8;" "r3 = 0;" "call %[bpf_probe_read];" "r0 = 1;" "exit;" :: __imm(bpf_probe_read) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_probe_read_str (tracing only)")
__failure __msg("program of this type cannot use helper bpf_probe_read_str#45")
__naked void skb_no_probe_read_str(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 8;" "r3 = 0;" "call %[bpf_probe_read_str];" "r0 = 1;" "exit;" :: __imm(bpf_probe_read_str) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_get_stack (tracing only)")
__failure __msg("program of this type cannot use helper bpf_get_stack#67")
__naked void skb_no_get_stack(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 16;" "r4 = 0;" "call %[bpf_get_stack];" "r0 = 1;" "exit;" :: __imm(bpf_get_stack) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: no bpf_get_stackid (tracing only)")
__failure __msg("program of this type cannot use helper bpf_get_stackid#27")
__naked void skb_no_get_stackid(void)
{
	asm volatile ("r2 = %[skb_sockmap] ll;" "r3 = 0;" "call %[bpf_get_stackid];" "r0 = 1;" "exit;" :: __imm(bpf_get_stackid), __imm_addr(skb_sockmap) : __clobber_all);
}

SEC("sk_skb")
__description("sk_skb: bpf_get_current_comm and bpf_get_current_uid_gid (in 6.18's base helpers)")
__success
__naked void skb_current_comm(void)
{
	asm volatile ("r1 = r10;" "r1 += -16;" "r2 = 16;" "call %[bpf_get_current_comm];" "call %[bpf_get_current_uid_gid];" "r0 = 1;" "exit;"
		:: __imm(bpf_get_current_comm), __imm(bpf_get_current_uid_gid) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
