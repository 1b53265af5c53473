// SPDX-License-Identifier: MIT
/* sk_reuseport programs (struct sk_reuseport_md, sk_reuseport_is_valid_access,
 * sk_reuseport_func_proto): the context is read-only; data/data_end are packet pointers the
 * program may read through after a bounds check but not write; len, ip_protocol and bind_inany
 * read narrowly, eth_protocol not below 2 bytes, hash as a whole u32; sk a socket (no NULL check
 * needed), migrating_sk a socket that may be NULL. Helpers: bpf_sk_select_reuseport with a
 * REUSEPORT_SOCKARRAY, a sockmap or a sockhash, the reuseport variants of skb_load_bytes(_relative),
 * bpf_get_socket_cookie of a socket pointer, and the base helpers. The kernel cannot test-run
 * this type, so none carries a __retval. Offsets: data 0, data_end 8, len 16, eth_protocol 20,
 * ip_protocol 24, bind_inany 28, hash 32, sk 40, migrating_sk 48. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ru_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, int);
} ru_sockmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, int);
} ru_sockhash SEC(".maps");

SEC("sk_reuseport")
__description("sk_reuseport: reads every field, the packet after a bounds check")
__success
__naked void ru_fields(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r3 = *(u64 *)(r1 + 8);" "r4 = r2;" "r4 += 2;"
		      "if r4 > r3 goto 1f;" "r5 = *(u16 *)(r2 + 0);"
		      "1:" "r2 = *(u32 *)(r1 + 16);" "r2 = *(u8 *)(r1 + 17);" "r2 = *(u16 *)(r1 + 18);"
		      "r2 = *(u32 *)(r1 + 20);" "r2 = *(u16 *)(r1 + 22);" "r2 = *(u8 *)(r1 + 24);"
		      "r2 = *(u8 *)(r1 + 31);" "r2 = *(u32 *)(r1 + 32);" "r2 = *(u64 *)(r1 + 40);"
		      "r0 = *(u32 *)(r2 + 4);" "r2 = *(u64 *)(r1 + 48);" "r0 = 1;" "exit;"
		::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: the context is read-only")
__failure __msg("invalid bpf_context access off=32 size=4")
__naked void ru_write_hash(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 32) = r2;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: the packet is read-only")
__failure __msg("cannot write into packet")
__naked void ru_write_packet(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r3 = *(u64 *)(r1 + 8);" "r4 = r2;" "r4 += 2;"
		      "if r4 > r3 goto 1f;" "r5 = 0;" "*(u8 *)(r2 + 0) = r5;" "1:" "r0 = 1;" "exit;"
		::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: data is a whole u64")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void ru_data_u32(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 0);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: hash is a whole u32")
__failure __msg("invalid bpf_context access off=32 size=2")
__naked void ru_hash_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 32);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: eth_protocol is not read by the byte")
__failure __msg("invalid bpf_context access off=20 size=1")
__naked void ru_eth_protocol_byte(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + 20);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: len is not a u64")
__failure __msg("invalid bpf_context access off=16 size=8")
__naked void ru_len_u64(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 16);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: nothing in the padding before sk")
__failure __msg("invalid bpf_context access off=36 size=4")
__naked void ru_padding(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 36);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: nothing past migrating_sk")
__failure __msg("invalid bpf_context access off=56 size=4")
__naked void ru_past_end(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 56);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport/migrate")
__description("sk_reuseport: migrating_sk may be NULL")
__failure __msg("R2 invalid mem access 'sock_common_or_null'")
__naked void ru_migrating_null(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 48);" "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport/migrate")
__description("sk_reuseport: migrating_sk after a NULL check")
__success
__naked void ru_migrating_checked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 48);" "r0 = 1;" "if r2 == 0 goto 1f;" "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "1:" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: sk is a full socket (no type on a sock_common, but here it is)")
__success
__naked void ru_sk_type(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 40);" "r0 = *(u32 *)(r2 + 8);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_sk_select_reuseport with a reuseport array")
__success
__naked void ru_select_array(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[ru_array] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_select_reuseport];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_select_reuseport), __imm_addr(ru_array) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_sk_select_reuseport with a sockmap")
__success
__naked void ru_select_sockmap(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[ru_sockmap] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_select_reuseport];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_select_reuseport), __imm_addr(ru_sockmap) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_sk_select_reuseport with a sockhash")
__success
__naked void ru_select_sockhash(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[ru_sockhash] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_select_reuseport];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_select_reuseport), __imm_addr(ru_sockhash) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_sk_select_reuseport takes no array map")
__failure __msg("cannot pass map_type 2 into func bpf_sk_select_reuseport#82")
__naked void ru_select_plain_array(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r2 = %[map_array_48b] ll;" "r3 = r10;" "r3 += -4;" "r4 = 0;"
		      "call %[bpf_sk_select_reuseport];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_select_reuseport), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: a reuseport array is not looked up")
__failure __msg("cannot pass map_type 20 into func bpf_map_lookup_elem#1")
__naked void ru_array_lookup(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r1 = %[ru_array] ll;" "r2 = r10;" "r2 += -4;"
		      "call %[bpf_map_lookup_elem];" "r0 = 1;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(ru_array) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: load bytes, relative too")
__success
__naked void ru_load_bytes(void)
{
	asm volatile ("r6 = r1;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 4;" "call %[bpf_skb_load_bytes];"
		      "r1 = r6;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 4;" "r5 = 1;" "call %[bpf_skb_load_bytes_relative];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_skb_load_bytes_relative) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: the socket's cookie and the coarse clock")
__success
__naked void ru_cookie(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + 40);" "call %[bpf_get_socket_cookie];" "call %[bpf_ktime_get_coarse_ns];" "r0 = 1;" "exit;"
		:: __imm(bpf_get_socket_cookie), __imm(bpf_ktime_get_coarse_ns) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_get_socket_cookie takes a socket, not the context")
__failure __msg("R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
__naked void ru_cookie_ctx(void)
{
	asm volatile ("call %[bpf_get_socket_cookie];" "r0 = 1;" "exit;" :: __imm(bpf_get_socket_cookie) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_skb_store_bytes")
__failure __msg("program of this type cannot use helper bpf_skb_store_bytes#9")
__naked void ru_no_store(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "*(u64 *)(r10 - 8) = r2;" "r4 = 4;" "r5 = 0;" "call %[bpf_skb_store_bytes];" "r0 = 1;" "exit;"
		:: __imm(bpf_skb_store_bytes) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_sk_redirect_map")
__failure __msg("program of this type cannot use helper bpf_sk_redirect_map#52")
__naked void ru_no_redirect(void)
{
	asm volatile ("r2 = %[ru_sockmap] ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_sk_redirect_map];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_redirect_map), __imm_addr(ru_sockmap) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_skc_to_tcp_sock (bpf_base_func_proto, not the sk one)")
__failure __msg("program of this type cannot use helper bpf_skc_to_tcp_sock#137")
__naked void ru_skc_cast(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + 40);" "call %[bpf_skc_to_tcp_sock];" "r0 = 1;" "exit;"
		:: __imm(bpf_skc_to_tcp_sock) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_get_socket_uid")
__failure __msg("program of this type cannot use helper bpf_get_socket_uid#47")
__naked void ru_no_uid(void)
{
	asm volatile ("call %[bpf_get_socket_uid];" "r0 = 1;" "exit;" :: __imm(bpf_get_socket_uid) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: a sockmap update with the context's socket")
__success
__naked void ru_sockmap_update(void)
{
	asm volatile ("r3 = *(u64 *)(r1 + 40);" "r2 = 0;" "*(u32 *)(r10 - 4) = r2;" "r1 = %[ru_sockmap] ll;" "r2 = r10;" "r2 += -4;" "r4 = 0;"
		      "call %[bpf_map_update_elem];" "r0 = 1;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(ru_sockmap) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_probe_read (tracing only)")
__failure __msg("program of this type cannot use helper bpf_probe_read#4")
__naked void ru_no_probe_read(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 8;" "r3 = 0;" "call %[bpf_probe_read];" "r0 = 1;" "exit;" :: __imm(bpf_probe_read) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_get_stack (tracing only)")
__failure __msg("program of this type cannot use helper bpf_get_stack#67")
__naked void ru_no_get_stack(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 16;" "r4 = 0;" "call %[bpf_get_stack];" "r0 = 1;" "exit;" :: __imm(bpf_get_stack) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: no bpf_perf_event_output (bpf_base_func_proto has none)")
__failure __msg("program of this type cannot use helper bpf_perf_event_output#25")
__naked void ru_no_perf_output(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "r2 = %[ru_sockmap] ll;" "r3 = 0;" "r4 = r10;" "r4 += -8;" "r5 = 8;"
		      "call %[bpf_perf_event_output];" "r0 = 1;" "exit;"
		:: __imm(bpf_perf_event_output), __imm_addr(ru_sockmap) : __clobber_all);
}

SEC("sk_reuseport")
__description("sk_reuseport: bpf_get_current_comm and bpf_get_current_uid_gid (in 6.18's base helpers)")
__success
__naked void ru_current_comm(void)
{
	asm volatile ("r1 = r10;" "r1 += -16;" "r2 = 16;" "call %[bpf_get_current_comm];" "call %[bpf_get_current_uid_gid];" "r0 = 1;" "exit;"
		:: __imm(bpf_get_current_comm), __imm(bpf_get_current_uid_gid) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
