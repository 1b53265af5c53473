// SPDX-License-Identifier: MIT
/* Which helper each cgroup hook may call, by expected attach type (sock_addr_func_proto,
 * cg_sockopt_func_proto, sock_filter_func_proto, cgroup_common_func_proto, as the 6.18 host has
 * them): bpf_setsockopt, bpf_getsockopt, bpf_bind, bpf_get_retval and bpf_set_retval from every
 * sock_addr, cgroup_sock and cgroup_sockopt hook, and bpf_get_retval from sock_ops and cgroup_skb.
 * Each verdict was taken from the host kernel (scripts/record-verifier.mjs keeps its logs). The
 * context is passed as `void *`, so the hooks without the helper fail on the helper itself and
 * the others load. None of these types can be test-run. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("cgroup/bind4")
__description("hook gates: bind4 has bpf_setsockopt")
__success
int so_bind4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/bind4")
__description("hook gates: bind4 has bpf_getsockopt")
__success
int go_bind4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/bind4")
__description("hook gates: bind4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_bind4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/bind4")
__description("hook gates: bind4 has bpf_get_retval")
__success
int gr_bind4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/bind4")
__description("hook gates: bind4 has bpf_set_retval")
__success
int sr_bind4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/bind6")
__description("hook gates: bind6 has bpf_setsockopt")
__success
int so_bind6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/bind6")
__description("hook gates: bind6 has bpf_getsockopt")
__success
int go_bind6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/bind6")
__description("hook gates: bind6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_bind6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/bind6")
__description("hook gates: bind6 has bpf_get_retval")
__success
int gr_bind6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/bind6")
__description("hook gates: bind6 has bpf_set_retval")
__success
int sr_bind6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/connect4")
__description("hook gates: connect4 has bpf_setsockopt")
__success
int so_connect4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect4")
__description("hook gates: connect4 has bpf_getsockopt")
__success
int go_connect4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect4")
__description("hook gates: connect4 has bpf_bind")
__success
int bi_connect4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/connect4")
__description("hook gates: connect4 has bpf_get_retval")
__success
int gr_connect4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/connect4")
__description("hook gates: connect4 has bpf_set_retval")
__success
int sr_connect4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/connect6")
__description("hook gates: connect6 has bpf_setsockopt")
__success
int so_connect6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect6")
__description("hook gates: connect6 has bpf_getsockopt")
__success
int go_connect6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect6")
__description("hook gates: connect6 has bpf_bind")
__success
int bi_connect6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/connect6")
__description("hook gates: connect6 has bpf_get_retval")
__success
int gr_connect6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/connect6")
__description("hook gates: connect6 has bpf_set_retval")
__success
int sr_connect6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/connect_unix")
__description("hook gates: connect_unix has bpf_setsockopt")
__success
int so_connect_unix(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect_unix")
__description("hook gates: connect_unix has bpf_getsockopt")
__success
int go_connect_unix(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/connect_unix")
__description("hook gates: connect_unix has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_connect_unix(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/connect_unix")
__description("hook gates: connect_unix has bpf_get_retval")
__success
int gr_connect_unix(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/connect_unix")
__description("hook gates: connect_unix has bpf_set_retval")
__success
int sr_connect_unix(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/sendmsg4")
__description("hook gates: sendmsg4 has bpf_setsockopt")
__success
int so_sendmsg4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg4")
__description("hook gates: sendmsg4 has bpf_getsockopt")
__success
int go_sendmsg4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg4")
__description("hook gates: sendmsg4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_sendmsg4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/sendmsg4")
__description("hook gates: sendmsg4 has bpf_get_retval")
__success
int gr_sendmsg4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/sendmsg4")
__description("hook gates: sendmsg4 has bpf_set_retval")
__success
int sr_sendmsg4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/sendmsg6")
__description("hook gates: sendmsg6 has bpf_setsockopt")
__success
int so_sendmsg6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg6")
__description("hook gates: sendmsg6 has bpf_getsockopt")
__success
int go_sendmsg6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg6")
__description("hook gates: sendmsg6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_sendmsg6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/sendmsg6")
__description("hook gates: sendmsg6 has bpf_get_retval")
__success
int gr_sendmsg6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/sendmsg6")
__description("hook gates: sendmsg6 has bpf_set_retval")
__success
int sr_sendmsg6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/sendmsg_unix")
__description("hook gates: sendmsg_unix has bpf_setsockopt")
__success
int so_sendmsg_unix(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg_unix")
__description("hook gates: sendmsg_unix has bpf_getsockopt")
__success
int go_sendmsg_unix(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sendmsg_unix")
__description("hook gates: sendmsg_unix has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_sendmsg_unix(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/sendmsg_unix")
__description("hook gates: sendmsg_unix has bpf_get_retval")
__success
int gr_sendmsg_unix(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/sendmsg_unix")
__description("hook gates: sendmsg_unix has bpf_set_retval")
__success
int sr_sendmsg_unix(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/recvmsg4")
__description("hook gates: recvmsg4 has bpf_setsockopt")
__success
int so_recvmsg4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg4")
__description("hook gates: recvmsg4 has bpf_getsockopt")
__success
int go_recvmsg4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg4")
__description("hook gates: recvmsg4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_recvmsg4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/recvmsg4")
__description("hook gates: recvmsg4 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_recvmsg4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/recvmsg4")
__description("hook gates: recvmsg4 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_recvmsg4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/recvmsg6")
__description("hook gates: recvmsg6 has bpf_setsockopt")
__success
int so_recvmsg6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg6")
__description("hook gates: recvmsg6 has bpf_getsockopt")
__success
int go_recvmsg6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg6")
__description("hook gates: recvmsg6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_recvmsg6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/recvmsg6")
__description("hook gates: recvmsg6 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_recvmsg6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/recvmsg6")
__description("hook gates: recvmsg6 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_recvmsg6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/recvmsg_unix")
__description("hook gates: recvmsg_unix has bpf_setsockopt")
__success
int so_recvmsg_unix(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg_unix")
__description("hook gates: recvmsg_unix has bpf_getsockopt")
__success
int go_recvmsg_unix(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/recvmsg_unix")
__description("hook gates: recvmsg_unix has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_recvmsg_unix(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/recvmsg_unix")
__description("hook gates: recvmsg_unix has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_recvmsg_unix(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/recvmsg_unix")
__description("hook gates: recvmsg_unix has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_recvmsg_unix(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getpeername4")
__description("hook gates: getpeername4 has bpf_setsockopt")
__success
int so_getpeername4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername4")
__description("hook gates: getpeername4 has bpf_getsockopt")
__success
int go_getpeername4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername4")
__description("hook gates: getpeername4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getpeername4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getpeername4")
__description("hook gates: getpeername4 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getpeername4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getpeername4")
__description("hook gates: getpeername4 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getpeername4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getpeername6")
__description("hook gates: getpeername6 has bpf_setsockopt")
__success
int so_getpeername6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername6")
__description("hook gates: getpeername6 has bpf_getsockopt")
__success
int go_getpeername6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername6")
__description("hook gates: getpeername6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getpeername6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getpeername6")
__description("hook gates: getpeername6 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getpeername6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getpeername6")
__description("hook gates: getpeername6 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getpeername6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getpeername_unix")
__description("hook gates: getpeername_unix has bpf_setsockopt")
__success
int so_getpeername_unix(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername_unix")
__description("hook gates: getpeername_unix has bpf_getsockopt")
__success
int go_getpeername_unix(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getpeername_unix")
__description("hook gates: getpeername_unix has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getpeername_unix(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getpeername_unix")
__description("hook gates: getpeername_unix has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getpeername_unix(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getpeername_unix")
__description("hook gates: getpeername_unix has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getpeername_unix(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getsockname4")
__description("hook gates: getsockname4 has bpf_setsockopt")
__success
int so_getsockname4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname4")
__description("hook gates: getsockname4 has bpf_getsockopt")
__success
int go_getsockname4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname4")
__description("hook gates: getsockname4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getsockname4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getsockname4")
__description("hook gates: getsockname4 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getsockname4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getsockname4")
__description("hook gates: getsockname4 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getsockname4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getsockname6")
__description("hook gates: getsockname6 has bpf_setsockopt")
__success
int so_getsockname6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname6")
__description("hook gates: getsockname6 has bpf_getsockopt")
__success
int go_getsockname6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname6")
__description("hook gates: getsockname6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getsockname6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getsockname6")
__description("hook gates: getsockname6 has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getsockname6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getsockname6")
__description("hook gates: getsockname6 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getsockname6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getsockname_unix")
__description("hook gates: getsockname_unix has bpf_setsockopt")
__success
int so_getsockname_unix(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname_unix")
__description("hook gates: getsockname_unix has bpf_getsockopt")
__success
int go_getsockname_unix(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockname_unix")
__description("hook gates: getsockname_unix has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getsockname_unix(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getsockname_unix")
__description("hook gates: getsockname_unix has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_getsockname_unix(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getsockname_unix")
__description("hook gates: getsockname_unix has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
int sr_getsockname_unix(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/sock_create")
__description("hook gates: sock_create has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
int so_sock_create(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sock_create")
__description("hook gates: sock_create has no bpf_getsockopt")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
int go_sock_create(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sock_create")
__description("hook gates: sock_create has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_sock_create(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/sock_create")
__description("hook gates: sock_create has bpf_get_retval")
__success
int gr_sock_create(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/sock_create")
__description("hook gates: sock_create has bpf_set_retval")
__success
int sr_sock_create(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/sock_release")
__description("hook gates: sock_release has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
int so_sock_release(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sock_release")
__description("hook gates: sock_release has no bpf_getsockopt")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
int go_sock_release(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/sock_release")
__description("hook gates: sock_release has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_sock_release(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/sock_release")
__description("hook gates: sock_release has bpf_get_retval")
__success
int gr_sock_release(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/sock_release")
__description("hook gates: sock_release has bpf_set_retval")
__success
int sr_sock_release(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/post_bind4")
__description("hook gates: post_bind4 has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
int so_post_bind4(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/post_bind4")
__description("hook gates: post_bind4 has no bpf_getsockopt")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
int go_post_bind4(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/post_bind4")
__description("hook gates: post_bind4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_post_bind4(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/post_bind4")
__description("hook gates: post_bind4 has bpf_get_retval")
__success
int gr_post_bind4(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/post_bind4")
__description("hook gates: post_bind4 has bpf_set_retval")
__success
int sr_post_bind4(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/post_bind6")
__description("hook gates: post_bind6 has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
int so_post_bind6(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/post_bind6")
__description("hook gates: post_bind6 has no bpf_getsockopt")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
int go_post_bind6(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/post_bind6")
__description("hook gates: post_bind6 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_post_bind6(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/post_bind6")
__description("hook gates: post_bind6 has bpf_get_retval")
__success
int gr_post_bind6(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/post_bind6")
__description("hook gates: post_bind6 has bpf_set_retval")
__success
int sr_post_bind6(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/getsockopt")
__description("hook gates: getsockopt has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
int so_getsockopt(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockopt")
__description("hook gates: getsockopt has no bpf_getsockopt")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
int go_getsockopt(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/getsockopt")
__description("hook gates: getsockopt has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_getsockopt(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/getsockopt")
__description("hook gates: getsockopt has bpf_get_retval")
__success
int gr_getsockopt(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/getsockopt")
__description("hook gates: getsockopt has bpf_set_retval")
__success
int sr_getsockopt(void *c) { bpf_set_retval(0); return 1; }

SEC("cgroup/setsockopt")
__description("hook gates: setsockopt has bpf_setsockopt, on ctx->sk rather than the context")
__failure __msg("R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int so_setsockopt(void *c) { int v=0; bpf_setsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/setsockopt")
__description("hook gates: setsockopt has bpf_getsockopt, on ctx->sk rather than the context")
__failure __msg("R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
int go_setsockopt(void *c) { int v=0; bpf_getsockopt(c,1,36,&v,4); return 1; }

SEC("cgroup/setsockopt")
__description("hook gates: setsockopt has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
int bi_setsockopt(void *c) { char v[16]={}; bpf_bind(c,(void*)v,16); return 1; }

SEC("cgroup/setsockopt")
__description("hook gates: setsockopt has bpf_get_retval")
__success
int gr_setsockopt(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/setsockopt")
__description("hook gates: setsockopt has bpf_set_retval")
__success
int sr_setsockopt(void *c) { bpf_set_retval(0); return 1; }

SEC("sockops")
__description("hook gates: sockops has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_sockops(void *c) { return bpf_get_retval() ? 1 : 1; }

SEC("cgroup/skb")
__description("hook gates: skb has no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
int gr_cgroup_skb(void *c) { return bpf_get_retval() ? 1 : 1; }

char _license[] SEC("license") = "GPL";
