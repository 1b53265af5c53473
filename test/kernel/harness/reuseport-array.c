// SPDX-License-Identifier: MIT
/*
 * reuseport-array: what the host kernel answers for BPF_MAP_TYPE_REUSEPORT_SOCKARRAY operations
 * from user space on real sockets, for maps/reuseport-array.ts. Built and run by
 * scripts/record-reuseport-array.mjs against the libbpf of the linux-source-6.12 tree, never
 * committed as a binary. Prints one JSON object: step name -> 0 or -errno, in order. The
 * sockets (IPv4, loopback):
 *   A  TCP, SO_REUSEPORT, bound and listening        B  the same, on A's port (same group)
 *   C  TCP listening without SO_REUSEPORT            D  TCP, SO_REUSEPORT, bound, not listening
 *   E  TCP client connected to A, SO_REUSEPORT       F  the child A accepted from E
 *   U, X  UDP, SO_REUSEPORT, bound                   V  UDP, SO_REUSEPORT, unbound
 *   W  UDP bound without SO_REUSEPORT                Y, Z  UDP, SO_REUSEPORT, bound (with a sockmap)
 * test/maps/reuseport-array.test.ts makes the same steps on the same sockets described to
 * ebpfvm's socket table and compares every answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

static int sock(int type, int reuse, int port, int listen_)
{
	int s = socket(AF_INET, type, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port) };

	if (reuse) setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	/* port 0: any free port; -1: unbound */
	if (port >= 0 && bind(s, (void *)&a, sizeof(a))) { fprintf(stderr, "bind: %s\n", strerror(errno)); _exit(1); }
	if (listen_ && listen(s, 8)) { fprintf(stderr, "listen: %s\n", strerror(errno)); _exit(1); }
	return s;
}

static int port_of(int s)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	getsockname(s, (void *)&a, &l);
	return ntohs(a.sin_port);
}

static int first = 1;
static void out(const char *what, int r)
{
	printf("%s\"%s\": %d", first ? "" : ",\n", what, r < 0 ? -errno : 0);
	first = 0;
}
static int create(unsigned ks, unsigned vs, unsigned max, unsigned flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, "ra", ks, vs, max, &o);
}
static int upd(int m, unsigned k, unsigned long long fd, int fl) { return bpf_map_update_elem(m, &k, &fd, fl); }
static int upd4(int m, unsigned k, int fd, int fl) { return bpf_map_update_elem(m, &k, &fd, fl); }
static int del(int m, unsigned k) { return bpf_map_delete_elem(m, &k); }
static int look(int m, unsigned k) { unsigned long long v; return bpf_map_lookup_elem(m, &k, &v); }

int main(void)
{
	int A = sock(SOCK_STREAM, 1, 0, 1), C = sock(SOCK_STREAM, 0, 0, 1), D = sock(SOCK_STREAM, 1, 0, 0);
	int E = sock(SOCK_STREAM, 1, -1, 0), B, F, U, V, W, X, m, m2, m4;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port_of(A)) };

	if (connect(E, (void *)&a, sizeof(a))) { fprintf(stderr, "connect: %s\n", strerror(errno)); return 1; }
	F = accept(A, NULL, NULL);
	/* B joins A's group only after the accept, so E's connection cannot land in B's queue */
	B = sock(SOCK_STREAM, 1, port_of(A), 1);
	U = sock(SOCK_DGRAM, 1, 0, 0), V = sock(SOCK_DGRAM, 1, -1, 0), W = sock(SOCK_DGRAM, 0, 0, 0), X = sock(SOCK_DGRAM, 1, 0, 0);
	m = create(4, 8, 4, 0), m2 = create(4, 8, 4, 0), m4 = create(4, 4, 4, 0);
	if (m < 0 || m2 < 0 || m4 < 0) { fprintf(stderr, "map create: %s\n", strerror(errno)); return 1; }
	printf("{\n");
	out("create_value_size_16", create(4, 16, 4, 0));
	out("create_key_size_8", create(8, 8, 4, 0));
	out("create_max_entries_0", create(4, 8, 0, 0));
	out("create_mmapable", create(4, 8, 4, BPF_F_MMAPABLE));
	out("create_rdonly_wronly", create(4, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY));
	out("create_rdonly_prog", create(4, 8, 4, BPF_F_RDONLY_PROG));
	out("tcp_listen_reuse", upd(m, 0, A, 0));
	out("udp_bound_reuse", upd(m, 1, U, 0));
	out("tcp_listen_noreuse", upd(m, 2, C, 0));
	out("tcp_bound_not_listening", upd(m, 2, D, 0));
	out("tcp_client_connected", upd(m, 2, E, 0));
	out("tcp_accepted_child", upd(m, 2, F, 0));
	out("udp_unbound_reuse", upd(m, 2, V, 0));
	out("udp_bound_noreuse", upd(m, 2, W, 0));
	out("busy_other_slot", upd(m, 2, A, 0));
	out("busy_own_slot", upd(m, 0, A, 0));
	out("no_such_fd", upd(m, 2, 999, 0));
	out("fd_above_s32", upd(m, 2, 1ULL << 31, 0));
	out("index_beyond_max", upd(m, 4, B, 0));
	out("flags_3", upd(m, 0, B, 3));
	out("noexist_taken", upd(m, 0, B, BPF_NOEXIST));
	out("exist_empty", upd(m, 2, B, BPF_EXIST));
	out("noexist_free_not_in_group", upd(m, 2, C, BPF_NOEXIST));
	out("lookup_taken", look(m, 0));
	out("lookup_empty", look(m, 2));
	out("lookup_beyond_max", look(m, 9));
	out("replace_exist", upd(m, 0, B, BPF_EXIST));
	out("replaced_socket_goes_elsewhere", upd(m, 3, A, 0));
	out("delete_beyond_max", del(m, 4));
	out("delete_empty", del(m, 2));
	out("delete_taken", del(m, 3));
	out("other_map_busy", upd(m2, 0, B, 0));
	out("other_map_free", upd(m2, 0, A, 0));
	out("value_size_4_update", upd4(m4, 0, X, 0));
	out("value_size_4_negative_fd", upd4(m4, 1, -1, 0));
	out("value_size_4_lookup", look(m4, 0));
	{
		/* a socket's sk_user_data holds a sockmap psock or a reuseport slot, not both */
		int sm = bpf_map_create(BPF_MAP_TYPE_SOCKMAP, "sm", 4, 8, 4, NULL);
		int Y = sock(SOCK_DGRAM, 1, 0, 0), Z = sock(SOCK_DGRAM, 1, 0, 0);

		out("sockmap_first", upd(sm, 0, Y, 0));
		out("sockmap_first_then_reuseport", upd(m, 2, Y, 0));
		out("sockmap_first_twice", upd(sm, 1, Y, 0));
		out("sockmap_first_one_slot_left", del(sm, 0) ?: upd(m, 2, Y, 0));
		out("sockmap_first_none_left", del(sm, 1) ?: upd(m, 2, Y, 0));
		out("reuseport_first", upd(m, 1, Z, 0));
		out("reuseport_first_then_sockmap", upd(sm, 1, Z, 0));
		out("sockmap_plain_udp", upd(sm, 2, W, 0));
		/* -EBUSY before -EEXIST: sock_map_link comes before the slot checks */
		out("reuseport_first_then_sockmap_taken_noexist", upd(sm, 2, A, BPF_NOEXIST));
	}
	close(B);
	out("lookup_after_close", look(m, 0));
	printf("\n}\n");
	return 0;
}
