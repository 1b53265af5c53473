// The kernel's socket structs in the built-in BTF: struct sock_common, sock, inet_sock,
// inet_connection_sock, tcp_sock, tcp6_sock, udp_sock, udp6_sock, unix_sock, mptcp_sock, the
// request socks (request_sock, inet_request_sock, tcp_request_sock) and the timewait socks
// (inet_timewait_sock, tcp_timewait_sock), with struct socket and the small structs they embed.
// What the bpf_skc_to_* casts return, what bpf_sk_storage_get and the iterators take, what
// BTF-typed programs (fentry, iter, struct_ops) read and what CO-RE relocates against.
//
// Names and nesting are the kernel's (include/net/sock.h, inet_sock.h, inet_connection_sock.h,
// linux/tcp.h, linux/udp.h, net/af_unix.h, net/mptcp/protocol.h, net/request_sock.h,
// net/inet_timewait_sock.h as of 6.18): the members the kernel's selftests and common programs
// read, in the kernel's order, each struct cut short where nothing further is read (as the
// task_struct subset is). Offsets are therefore not the kernel's: programs reach these fields
// through CO-RE (vmlinux.h's preserve_access_index), which relocates by name. The accessor
// macros of the kernel headers (sk_family for __sk_common.skc_family, inet_daddr, tw_dport,
// ir_loc_addr ...) resolve to these members, so code written with them relocates too.
//
// The runtime's sockets (vm/sockets.ts) get an image of their struct (tcp_sock, tcp6_sock,
// udp_sock, udp6_sock, tcp_request_sock, tcp_timewait_sock) in kernel memory, filled from the
// socket's description by src/btf/kernel-socks.ts.
import type { Builder, Row } from './builtin.js';

/** An anonymous struct or union (BTF name ''), under a builder-only tag, for use in rows. */
function anon(b: Builder, tag: string, rows: Row[], union = false): string {
  b.struct(tag, rows, { union, anon: true });
  return `${union ? 'union' : 'struct'} ${tag}`;
}

export function declareSocketStructs(b: Builder): void {
  // Small kernel types the socket structs embed (include/linux/types.h, list.h, timer_types.h).
  b.struct('hlist_node', [['struct hlist_node *', 'next'], ['struct hlist_node **', 'pprev']]);
  b.struct('hlist_nulls_node', [['struct hlist_nulls_node *', 'next'], ['struct hlist_nulls_node **', 'pprev']]);
  b.struct('atomic64_t', [['s64', 'counter']], { anon: true });
  b.typedef('atomic64_t', 'struct atomic64_t');
  b.struct('possible_net_t', [['struct net *', 'net']], { anon: true });
  b.typedef('possible_net_t', 'struct possible_net_t');
  b.struct('timer_list', [['struct hlist_node', 'entry'], ['unsigned long', 'expires'], ['void (*)(struct timer_list *)', 'function'], ['u32', 'flags']]);
  b.struct('sk_buff_head', [['struct sk_buff *', 'next'], ['struct sk_buff *', 'prev'], ['__u32', 'qlen']]);
  b.typedef('__kernel_sa_family_t', 'unsigned short');
  b.typedef('sa_family_t', '__kernel_sa_family_t');
  // Socket addresses (uapi linux/in.h, in6.h, socket.h): what programs keep in globals and compare.
  b.struct('sockaddr', [['sa_family_t', 'sa_family'], ['char', 'sa_data', 14]]);
  b.struct('in_addr', [['__be32', 's_addr']]);
  b.struct('sockaddr_in', [['__kernel_sa_family_t', 'sin_family'], ['__be16', 'sin_port'], ['struct in_addr', 'sin_addr'], ['unsigned char', '__pad', 8]]);
  b.struct('sockaddr_in6', [['unsigned short', 'sin6_family'], ['__be16', 'sin6_port'], ['__be32', 'sin6_flowinfo'], ['struct in6_addr', 'sin6_addr'], ['__u32', 'sin6_scope_id']]);
  b.typedef('__addrpair', '__u64');
  b.typedef('__portpair', '__u32');

  // struct sock_common: the part every socket (full, request, timewait) starts with.
  const addrs = anon(b, '__skc_addrs', [['__be32', 'skc_daddr'], ['__be32', 'skc_rcv_saddr']]);
  const addrpair = anon(b, '__skc_addrpair', [['__addrpair', 'skc_addrpair'], [addrs, '']], true);
  const hash = anon(b, '__skc_hash', [['unsigned int', 'skc_hash'], ['__u16', 'skc_u16hashes', 2]], true);
  const ports = anon(b, '__skc_ports', [['__be16', 'skc_dport'], ['__u16', 'skc_num']]);
  const portpair = anon(b, '__skc_portpair', [['__portpair', 'skc_portpair'], [ports, '']], true);
  const bind = anon(b, '__skc_bind', [['struct hlist_node', 'skc_bind_node'], ['struct hlist_node', 'skc_portaddr_node']], true);
  const flags = anon(b, '__skc_flags', [['unsigned long', 'skc_flags'], ['struct sock *', 'skc_listener'], ['struct inet_timewait_death_row *', 'skc_tw_dr']], true);
  const node = anon(b, '__skc_node', [['struct hlist_node', 'skc_node'], ['struct hlist_nulls_node', 'skc_nulls_node']], true);
  const cpu = anon(b, '__skc_cpu', [['int', 'skc_incoming_cpu'], ['u32', 'skc_rcv_wnd'], ['u32', 'skc_tw_rcv_nxt']], true);
  const rxhash = anon(b, '__skc_rxhash', [['u32', 'skc_rxhash'], ['u32', 'skc_window_clamp'], ['u32', 'skc_tw_snd_nxt']], true);
  b.struct('sock_common', [
    [addrpair, ''], [hash, ''], [portpair, ''],
    ['unsigned short', 'skc_family'], ['unsigned char', 'skc_state'],
    ['unsigned char', 'skc_reuse', undefined, 4], ['unsigned char', 'skc_reuseport', undefined, 1], ['unsigned char', 'skc_ipv6only', undefined, 1], ['unsigned char', 'skc_net_refcnt', undefined, 1],
    ['int', 'skc_bound_dev_if'], [bind, ''], ['struct proto *', 'skc_prot'], ['possible_net_t', 'skc_net'],
    ['struct in6_addr', 'skc_v6_daddr'], ['struct in6_addr', 'skc_v6_rcv_saddr'], ['atomic64_t', 'skc_cookie'],
    [flags, ''], ['int', 'skc_dontcopy_begin', 0], [node, ''], ['unsigned short', 'skc_tx_queue_mapping'], ['unsigned short', 'skc_rx_queue_mapping'],
    [cpu, ''], ['refcount_t', 'skc_refcnt'], ['int', 'skc_dontcopy_end', 0], [rxhash, ''],
  ]);

  // struct sock.
  b.struct('sock_cgroup_data', [['struct cgroup *', 'cgroup'], ['u32', 'classid'], ['u16', 'prioidx']]);
  const backlog = anon(b, '__sk_backlog', [['atomic_t', 'rmem_alloc'], ['int', 'len'], ['struct sk_buff *', 'head'], ['struct sk_buff *', 'tail']]);
  const wq = anon(b, '__sk_wq', [['struct socket_wq *', 'sk_wq'], ['struct socket_wq *', 'sk_wq_raw']], true);
  const sendHead = anon(b, '__sk_send_head', [['struct sk_buff *', 'sk_send_head'], ['struct rb_root', 'tcp_rtx_queue']], true);
  b.struct('sock', [
    ['struct sock_common', '__sk_common'],
    ['struct dst_entry *', 'sk_rx_dst'], ['int', 'sk_rx_dst_ifindex'], ['u32', 'sk_rx_dst_cookie'],
    ['atomic_t', 'sk_drops'], ['int', 'sk_rcvlowat'], ['struct sk_buff_head', 'sk_error_queue'], ['struct sk_buff_head', 'sk_receive_queue'],
    [backlog, 'sk_backlog'], ['int', 'sk_forward_alloc'], ['u32', 'sk_reserved_mem'], ['unsigned int', 'sk_ll_usec'], ['unsigned int', 'sk_napi_id'],
    ['int', 'sk_rcvbuf'], ['int', 'sk_disconnects'], ['struct sk_filter *', 'sk_filter'], [wq, ''], ['struct dst_entry *', 'sk_dst_cache'],
    ['atomic_t', 'sk_omem_alloc'], ['int', 'sk_sndbuf'], ['int', 'sk_wmem_queued'], ['refcount_t', 'sk_wmem_alloc'], ['unsigned long', 'sk_tsq_flags'],
    [sendHead, ''], ['struct sk_buff_head', 'sk_write_queue'], ['u32', 'sk_dst_pending_confirm'], ['u32', 'sk_pacing_status'],
    ['struct timer_list', 'sk_timer'], ['unsigned long', 'sk_pacing_rate'], ['atomic_t', 'sk_zckey'], ['atomic_t', 'sk_tskey'],
    ['unsigned long', 'sk_max_pacing_rate'], ['long', 'sk_sndtimeo'], ['u32', 'sk_priority'], ['u32', 'sk_mark'], ['unsigned long', 'sk_flags'],
    ['u8', 'sk_gso_disabled', undefined, 1], ['u8', 'sk_kern_sock', undefined, 1], ['u8', 'sk_no_check_tx', undefined, 1], ['u8', 'sk_no_check_rx', undefined, 1],
    ['u8', 'sk_shutdown'], ['u16', 'sk_type'], ['u16', 'sk_protocol'], ['unsigned long', 'sk_lingertime'], ['struct proto *', 'sk_prot_creator'],
    ['int', 'sk_err'], ['int', 'sk_err_soft'], ['u32', 'sk_ack_backlog'], ['u32', 'sk_max_ack_backlog'], ['kuid_t', 'sk_uid'],
    ['u8', 'sk_txrehash'], ['u8', 'sk_prefer_busy_poll'], ['u16', 'sk_busy_poll_budget'], ['struct pid *', 'sk_peer_pid'], ['const struct cred *', 'sk_peer_cred'],
    ['long', 'sk_rcvtimeo'], ['s64', 'sk_stamp'], ['u16', 'sk_tsflags'], ['u32', 'sk_txhash'], ['u8', 'sk_pacing_shift'], ['bool', 'sk_use_task_frag'],
    ['struct socket *', 'sk_socket'], ['void *', 'sk_user_data'], ['void *', 'sk_security'], ['struct sock_cgroup_data', 'sk_cgrp_data'],
    ['void (*)(struct sock *)', 'sk_state_change'], ['void (*)(struct sock *)', 'sk_data_ready'], ['void (*)(struct sock *)', 'sk_write_space'],
    ['void (*)(struct sock *)', 'sk_error_report'], ['void (*)(struct sock *)', 'sk_destruct'],
    ['struct sock_reuseport *', 'sk_reuseport_cb'], ['struct bpf_local_storage *', 'sk_bpf_storage'],
  ]);

  // struct socket (include/linux/net.h): what sk->sk_socket points to.
  b.struct('socket', [['int', 'state'], ['short', 'type'], ['unsigned long', 'flags'], ['struct file *', 'file'], ['struct sock *', 'sk'], ['const struct proto_ops *', 'ops']]);
  // A socket and its sockfs inode are one allocation (include/net/sock.h's SOCKET_I / SOCK_INODE):
  // the selftests' sock_i_ino() reads the inode number through it. A subset of struct inode.
  b.typedef('umode_t', 'unsigned short');
  b.struct('inode', [['umode_t', 'i_mode'], ['unsigned short', 'i_opflags'], ['kuid_t', 'i_uid'], ['kgid_t', 'i_gid'], ['unsigned int', 'i_flags'], ['unsigned long', 'i_ino']]);
  b.struct('socket_alloc', [['struct socket', 'socket'], ['struct inode', 'vfs_inode']]);

  // IPv4/IPv6 inet sockets.
  b.struct('ipv6_pinfo', [['struct in6_addr', 'saddr'], ['const struct in6_addr *', 'daddr_cache'], ['__be32', 'flow_label'], ['__u32', 'frag_size'], ['s16', 'hop_limit'], ['u8', 'mcast_hops'], ['int', 'ucast_oif'], ['int', 'mcast_oif']]);
  b.struct('inet_sock', [
    ['struct sock', 'sk'], ['struct ipv6_pinfo *', 'pinet6'], ['unsigned long', 'inet_flags'], ['__be32', 'inet_saddr'], ['__s16', 'uc_ttl'], ['__be16', 'inet_sport'],
    ['struct ip_options_rcu *', 'inet_opt'], ['atomic_t', 'inet_id'], ['__u8', 'tos'], ['__u8', 'min_ttl'], ['__u8', 'mc_ttl'], ['__u8', 'pmtudisc'], ['__u8', 'rcv_tos'],
    ['__u8', 'convert_csum'], ['int', 'uc_index'], ['int', 'mc_index'], ['__be32', 'mc_addr'], ['u32', 'local_port_range'],
  ]);
  b.struct('fastopen_queue', [['struct request_sock *', 'rskq_rst_head'], ['struct request_sock *', 'rskq_rst_tail'], ['int', 'qlen'], ['int', 'max_qlen']]);
  b.struct('request_sock_queue', [
    ['u8', 'rskq_defer_accept'], ['u32', 'synflood_warned'], ['atomic_t', 'qlen'], ['atomic_t', 'young'], ['struct request_sock *', 'rskq_accept_head'],
    ['struct request_sock *', 'rskq_accept_tail'], ['struct fastopen_queue', 'fastopenq'],
  ]);
  const ack = anon(b, '__icsk_ack', [
    ['__u8', 'pending'], ['__u8', 'quick'], ['__u8', 'pingpong'], ['__u8', 'retry'], ['__u32', 'ato', undefined, 8], ['__u32', 'lrcv_flowlabel', undefined, 20],
    ['__u32', 'unused', undefined, 4], ['unsigned long', 'timeout'], ['__u32', 'lrcvtime'], ['__u16', 'last_seg_size'], ['__u16', 'rcv_mss'],
  ]);
  const mtup = anon(b, '__icsk_mtup', [['int', 'search_high'], ['int', 'search_low'], ['u32', 'probe_size', undefined, 31], ['u32', 'enabled', undefined, 1], ['u32', 'probe_timestamp']]);
  b.struct('inet_connection_sock', [
    ['struct inet_sock', 'icsk_inet'], ['struct request_sock_queue', 'icsk_accept_queue'], ['struct inet_bind_bucket *', 'icsk_bind_hash'],
    ['struct inet_bind2_bucket *', 'icsk_bind2_hash'], ['unsigned long', 'icsk_timeout'], ['struct timer_list', 'icsk_retransmit_timer'],
    ['struct timer_list', 'icsk_delack_timer'], ['__u32', 'icsk_rto'], ['__u32', 'icsk_rto_min'], ['__u32', 'icsk_delack_max'], ['__u32', 'icsk_pmtu_cookie'],
    ['const struct tcp_congestion_ops *', 'icsk_ca_ops'], ['const struct inet_connection_sock_af_ops *', 'icsk_af_ops'], ['const struct tcp_ulp_ops *', 'icsk_ulp_ops'],
    ['void *', 'icsk_ulp_data'], ['__u8', 'icsk_ca_state', undefined, 5], ['__u8', 'icsk_ca_initialized', undefined, 1], ['__u8', 'icsk_ca_setsockopt', undefined, 1],
    ['__u8', 'icsk_ca_dst_locked', undefined, 1], ['__u8', 'icsk_retransmits'], ['__u8', 'icsk_pending'], ['__u8', 'icsk_backoff'], ['__u8', 'icsk_syn_retries'],
    ['__u8', 'icsk_probes_out'], ['__u16', 'icsk_ext_hdr_len'], [ack, 'icsk_ack'], [mtup, 'icsk_mtup'], ['u32', 'icsk_probes_tstamp'], ['u32', 'icsk_user_timeout'],
    ['u64', 'icsk_ca_priv', 13],
  ]);

  // struct tcp_sock (include/linux/tcp.h) and tcp6_sock.
  b.struct('minmax_sample', [['u32', 't'], ['u32', 'v']]);
  b.struct('minmax', [['struct minmax_sample', 's', 3]]);
  b.struct('tcp_sack_block', [['u32', 'start_seq'], ['u32', 'end_seq']]);
  b.struct('tcp_options_received', [
    ['int', 'ts_recent_stamp'], ['u32', 'ts_recent'], ['u32', 'rcv_tsval'], ['u32', 'rcv_tsecr'], ['u16', 'saw_tstamp', undefined, 1], ['u16', 'tstamp_ok', undefined, 1],
    ['u16', 'dsack', undefined, 1], ['u16', 'wscale_ok', undefined, 1], ['u16', 'sack_ok', undefined, 3], ['u16', 'smc_ok', undefined, 1], ['u16', 'snd_wscale', undefined, 4],
    ['u16', 'rcv_wscale', undefined, 4], ['u8', 'saw_unknown', undefined, 1], ['u8', 'unused', undefined, 7], ['u8', 'num_sacks'], ['u16', 'user_mss'], ['u16', 'mss_clamp'],
  ]);
  const rttEst = anon(b, '__tcp_rcv_rtt_est', [['u32', 'rtt_us'], ['u32', 'seq'], ['u64', 'time']]);
  const rcvq = anon(b, '__tcp_rcvq_space', [['u32', 'space'], ['u32', 'seq'], ['u64', 'time']]);
  const mtuProbe = anon(b, '__tcp_mtu_probe', [['u32', 'probe_seq_start'], ['u32', 'probe_seq_end']]);
  b.struct('tcp_sock', [
    ['struct inet_connection_sock', 'inet_conn'], ['__u16', 'tcp_header_len'], ['__u16', 'gso_segs'], ['__be32', 'pred_flags'], ['u64', 'bytes_received'],
    ['u32', 'segs_in'], ['u32', 'data_segs_in'], ['u32', 'rcv_nxt'], ['u32', 'copied_seq'], ['u32', 'rcv_wup'], ['u32', 'snd_nxt'], ['u32', 'segs_out'],
    ['u32', 'data_segs_out'], ['u64', 'bytes_sent'], ['u64', 'bytes_acked'], ['u32', 'dsack_dups'], ['u32', 'snd_una'], ['u32', 'snd_sml'], ['u32', 'rcv_tstamp'],
    ['u32', 'lsndtime'], ['u32', 'last_oow_ack_time'], ['u32', 'compressed_ack_rcv_nxt'], ['u32', 'tsoffset'], ['u32', 'snd_wl1'], ['u32', 'snd_wnd'],
    ['u32', 'max_window'], ['u32', 'mss_cache'], ['u32', 'window_clamp'], ['u32', 'rcv_ssthresh'], ['u8', 'scaling_ratio'], ['u8', 'repair', undefined, 1],
    ['u8', 'tcp_usec_ts', undefined, 1], ['u8', 'is_sack_reneg', undefined, 1], ['u8', 'is_cwnd_limited', undefined, 1], ['u8', 'recvmsg_inq', undefined, 1], ['u16', 'advmss'],
    ['u8', 'compressed_ack'], ['u32', 'chrono_start'], ['u32', 'chrono_stat', 3], ['u8', 'nonagle', undefined, 4], ['u8', 'rate_app_limited', undefined, 1],
    ['u8', 'keepalive_probes'], ['u32', 'tcp_tx_delay'], ['u64', 'tcp_wstamp_ns'], ['u64', 'tcp_clock_cache'], ['u64', 'tcp_mstamp'], ['u32', 'srtt_us'],
    ['u32', 'mdev_us'], ['u32', 'mdev_max_us'], ['u32', 'rttvar_us'], ['u32', 'rtt_seq'], ['struct minmax', 'rtt_min'], ['u32', 'packets_out'],
    ['u32', 'retrans_out'], ['u32', 'max_packets_out'], ['u32', 'cwnd_usage_seq'], ['u16', 'urg_data'], ['u8', 'ecn_flags'], ['u8', 'keepalive_intvl_unused'],
    ['u32', 'reordering'], ['u32', 'reord_seen'], ['u32', 'snd_up'], ['struct tcp_options_received', 'rx_opt'], ['u32', 'snd_ssthresh'], ['u32', 'snd_cwnd'],
    ['u32', 'snd_cwnd_cnt'], ['u32', 'snd_cwnd_clamp'], ['u32', 'snd_cwnd_used'], ['u32', 'snd_cwnd_stamp'], ['u32', 'prior_cwnd'], ['u32', 'prr_delivered'],
    ['u32', 'prr_out'], ['u32', 'delivered'], ['u32', 'delivered_ce'], ['u32', 'lost'], ['u32', 'app_limited'], ['u64', 'first_tx_mstamp'],
    ['u64', 'delivered_mstamp'], ['u32', 'rate_delivered'], ['u32', 'rate_interval_us'], ['u32', 'rcv_wnd'], ['u32', 'write_seq'], ['u32', 'notsent_lowat'],
    ['u32', 'pushed_seq'], ['u32', 'lost_out'], ['u32', 'sacked_out'], ['struct sk_buff *', 'lost_skb_hint'], ['struct sk_buff *', 'retransmit_skb_hint'],
    ['struct rb_root', 'out_of_order_queue'], ['struct sk_buff *', 'ooo_last_skb'], ['struct tcp_sack_block', 'duplicate_sack', 1],
    ['struct tcp_sack_block', 'selective_acks', 4], ['struct tcp_sack_block', 'recv_sack_cache', 4], ['int', 'lost_cnt_hint'], ['u32', 'prior_ssthresh'],
    ['u32', 'high_seq'], ['u32', 'retrans_stamp'], ['u32', 'undo_marker'], ['int', 'undo_retrans'], ['u64', 'bytes_retrans'], ['u32', 'total_retrans'],
    ['u32', 'rto_stamp'], ['u16', 'total_rto'], ['u16', 'total_rto_recoveries'], ['u32', 'total_rto_time'], ['u32', 'urg_seq'], ['unsigned int', 'keepalive_time'],
    ['unsigned int', 'keepalive_intvl'], ['int', 'linger2'], ['u8', 'bpf_sock_ops_cb_flags'], ['u8', 'bpf_chg_cc_inprogress', undefined, 1], ['u16', 'timeout_rehash'],
    ['u32', 'rcv_ooopack'], [rttEst, 'rcv_rtt_est'], [rcvq, 'rcvq_space'], [mtuProbe, 'mtu_probe'], ['u32', 'plb_rehash'], ['u32', 'mtu_info'],
    ['struct tcp_fastopen_request *', 'fastopen_req'], ['struct request_sock *', 'fastopen_rsk'], ['struct saved_syn *', 'saved_syn'],
  ]);
  b.struct('tcp6_sock', [['struct tcp_sock', 'tcp'], ['struct ipv6_pinfo', 'inet6']]);

  // UDP (include/linux/udp.h) and UNIX (include/net/af_unix.h) sockets.
  b.struct('udp_sock', [
    ['struct inet_sock', 'inet'], ['unsigned long', 'udp_flags'], ['int', 'pending'], ['__u8', 'encap_type'], ['__u16', 'len'], ['__u16', 'gso_size'],
    ['__u16', 'pcslen'], ['__u16', 'pcrlen'], ['int (*)(struct sock *, struct sk_buff *)', 'encap_rcv'], ['struct sk_buff_head', 'reader_queue'],
    ['int', 'forward_deficit'], ['int', 'forward_threshold'], ['bool', 'peeking_with_offset'],
  ]);
  b.struct('udp6_sock', [['struct udp_sock', 'udp'], ['struct ipv6_pinfo', 'inet6']]);
  b.struct('sockaddr_un', [['__kernel_sa_family_t', 'sun_family'], ['char', 'sun_path', 108]]);
  b.struct('unix_address', [['refcount_t', 'refcnt'], ['int', 'len'], ['struct sockaddr_un', 'name', 0]]);
  // The kernel context of cgroup sock_addr programs (include/linux/filter.h): what
  // bpf_cast_to_kern_ctx types and bpf_sock_addr_set_sun_path takes.
  b.struct('bpf_sock_addr_kern', [['struct sock *', 'sk'], ['struct sockaddr *', 'uaddr'], ['u64', 'tmp_reg'], ['void *', 't_ctx'], ['u32', 'uaddrlen']]);
  b.struct('unix_sock', [['struct sock', 'sk'], ['struct unix_address *', 'addr'], ['struct sock *', 'peer'], ['struct sock *', 'listener'], ['unsigned long', 'gc_flags'], ['struct sk_buff *', 'oob_skb']]);

  // MPTCP's connection-level socket (net/mptcp/protocol.h).
  b.struct('mptcp_sock', [
    ['struct inet_connection_sock', 'sk'], ['u64', 'local_key'], ['u64', 'remote_key'], ['u64', 'write_seq'], ['u64', 'bytes_sent'], ['u64', 'snd_nxt'],
    ['u64', 'bytes_received'], ['u64', 'ack_seq'], ['u32', 'token'], ['unsigned long', 'flags'], ['struct sock *', 'first'], ['char', 'ca_name', 16],
  ]);

  // Request socks (include/net/request_sock.h, inet_sock.h, linux/tcp.h).
  b.struct('request_sock', [
    ['struct sock_common', '__req_common'], ['struct request_sock *', 'dl_next'], ['u16', 'mss'], ['u8', 'num_retrans'], ['u8', 'syncookie', undefined, 1],
    ['u8', 'num_timeout', undefined, 7], ['u32', 'ts_recent'], ['struct timer_list', 'rsk_timer'], ['const struct request_sock_ops *', 'rsk_ops'],
    ['struct sock *', 'sk'], ['struct saved_syn *', 'saved_syn'], ['u32', 'secid'], ['u32', 'peer_secid'], ['u32', 'timeout'],
  ]);
  b.struct('inet_request_sock', [
    ['struct request_sock', 'req'], ['u16', 'snd_wscale', undefined, 4], ['u16', 'rcv_wscale', undefined, 4], ['u16', 'tstamp_ok', undefined, 1],
    ['u16', 'sack_ok', undefined, 1], ['u16', 'wscale_ok', undefined, 1], ['u16', 'ecn_ok', undefined, 1], ['u16', 'acked', undefined, 1],
    ['u16', 'no_srccheck', undefined, 1], ['u16', 'smc_ok', undefined, 1], ['u32', 'ir_mark'],
  ]);
  b.struct('tcp_request_sock', [
    ['struct inet_request_sock', 'req'], ['const struct tcp_request_sock_ops *', 'af_specific'], ['u64', 'snt_synack'], ['bool', 'tfo_listener'],
    ['bool', 'is_mptcp'], ['bool', 'req_usec_ts'], ['u32', 'txhash'], ['u32', 'rcv_isn'], ['u32', 'snt_isn'], ['u32', 'ts_off'], ['u32', 'last_oow_ack_time'],
    ['u32', 'rcv_nxt'], ['u8', 'syn_tos'],
  ]);

  // Timewait socks (include/net/inet_timewait_sock.h, linux/tcp.h).
  b.struct('inet_timewait_sock', [
    ['struct sock_common', '__tw_common'], ['__u32', 'tw_mark'], ['unsigned char', 'tw_substate'], ['unsigned char', 'tw_rcv_wscale'], ['__be16', 'tw_sport'],
    ['unsigned int', 'tw_transparent', undefined, 1], ['unsigned int', 'tw_flowlabel', undefined, 20], ['unsigned int', 'tw_usec_ts', undefined, 1],
    ['unsigned int', 'tw_pad', undefined, 2], ['unsigned int', 'tw_tos', undefined, 8], ['u32', 'tw_txhash'], ['u32', 'tw_priority'],
    ['struct timer_list', 'tw_timer'], ['struct inet_bind_bucket *', 'tw_tb'], ['struct inet_bind2_bucket *', 'tw_tb2'],
  ]);
  b.struct('tcp_timewait_sock', [
    ['struct inet_timewait_sock', 'tw_sk'], ['u32', 'tw_rcv_wnd'], ['u32', 'tw_ts_offset'], ['u32', 'tw_ts_recent'], ['u32', 'tw_last_oow_ack_time'],
    ['int', 'tw_ts_recent_stamp'], ['u32', 'tw_tx_delay'],
  ]);
}
