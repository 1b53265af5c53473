// SPDX-License-Identifier: MIT
/*
 * test-verifier-harness: the host kernel's side of scripts/test-verifier.mjs. It loads the
 * raw-instruction verifier tests (the verifier directory of tools/testing/selftests/bpf, extracted to JSON by
 * test/kernel/test-verifier/extract.c) the way test_verifier's do_test_single does, and prints
 * what the kernel did; the script judges the result against the test's expectations.
 *
 * Input (stdin), one test at a time, lines of `key args`:
 *   mapbtf HEX                 once, first: the BTF test_verifier's load_btf() loads (spin lock,
 *                              timer and kptr map values), built by the script for the tree
 *   test ID TYPE ATTACH_TYPE PROG_FLAGS LOG_LEVEL UNPRIV
 *   insns HEX                  struct bpf_insn bytes
 *   map KIND I,J,...           create KIND as test_verifier's do_test_fixup does; imm of insn I.. = fd
 *   kfunc NAME I               imm of insn I = NAME's BTF id in vmlinux (0 when missing)
 *   attach NAME                tracing/lsm attach target (libbpf_find_vmlinux_btf_id)
 *   btf HEX                    the test's own BTF (header included)
 *   funcinfo HEX               struct bpf_func_info records
 *   run HEX                    one test run with these 64 bytes of data
 *   xlated                     print the xlated program of a loaded test
 *   end
 * Output: one JSON line per test:
 *   {"id":..,"fd":bool,"errno":"E..","log":"..","runs":[{"errno":"E.."|null,"retval":N}],
 *    "xlated":"HEX","skip":"why"}
 *
 * Capabilities as test_verifier has them: CAP_SYS_ADMIN is never effective (is_admin() drops it);
 * an UNPRIV test creates its maps and loads with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN dropped
 * too and runs with them back (set_admin). For unprivileged loads kernel.unprivileged_bpf_disabled
 * is lowered to 0 for the harness's lifetime and put back on exit (the lock and state files are
 * verifier-harness.c's, so the two never race on the sysctl).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "harness-io.h"
#include "unpriv-sysctl.h"

#define ADMIN_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_PERFMON) | (1ULL << CAP_BPF))
#define LOG_SIZE (UINT32_MAX >> 8)
#define MAX_RUNS 8
#define TEST_DATA_LEN 64

static char *vlog;
static unsigned char *map_btf;
static size_t map_btf_len;

/* ---- capabilities ---- */

static void caps_set(uint64_t mask, bool on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data)) { perror("capget"); exit(2); }
	for (int i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i))) continue;
		if (on) data[CAP_TO_INDEX(i)].effective |= CAP_TO_MASK(i);
		else data[CAP_TO_INDEX(i)].effective &= ~CAP_TO_MASK(i);
	}
	if (syscall(SYS_capset, &hdr, data)) { perror("capset"); exit(2); }
}

/* ---- maps, as test_verifier's do_test_fixup creates them ---- */

struct test_val { unsigned int index; int foo[11]; };

static int map_fail(int type, const char *kind, char *skip, size_t n)
{
	/* test_verifier's skip_unsupported_map: a type the probe says is missing skips the test */
	if (!libbpf_probe_bpf_map_type(type, NULL)) snprintf(skip, n, "unsupported map type %d (%s)", type, kind);
	return -1;
}

static int mk(int type, uint32_t ksz, uint32_t vsz, uint32_t max, uint32_t flags, const char *kind, char *skip, size_t n)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int fd;

	opts.map_flags = (type == BPF_MAP_TYPE_HASH ? BPF_F_NO_PREALLOC : 0) | flags;
	fd = bpf_map_create(type, NULL, ksz, vsz, max, &opts);
	return fd < 0 ? map_fail(type, kind, skip, n) : fd;
}

static void seed_test_val(int fd)
{
	struct test_val v = { .index = (6 + 1) * sizeof(int) };
	int key = 0;

	v.foo[6] = 0xabcdef12;
	if (fd >= 0) bpf_map_update_elem(fd, &key, &v, 0);
}

static int prog_simple(int type, int ret)
{
	struct bpf_insn p[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	return bpf_prog_load(type, NULL, "GPL", p, 2, NULL);
}

/* r3 = idx; r2 = map; tail_call; r0 = ret; exit */
static int prog_loop(int type, int mfd, int idx, int ret)
{
	struct bpf_insn p[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = idx },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 2, .src_reg = BPF_PSEUDO_MAP_FD, .imm = mfd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	return bpf_prog_load(type, NULL, "GPL", p, 6, NULL);
}

static int prog_array(int prog_type, uint32_t max, int k1, int k2, int k3, char *skip, size_t n)
{
	int mfd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, NULL, 4, 4, max, NULL), p1, p2, p3;

	if (mfd < 0) return map_fail(BPF_MAP_TYPE_PROG_ARRAY, "prog array", skip, n);
	p1 = prog_simple(prog_type, 42);
	p2 = prog_loop(prog_type, mfd, k2, 41);
	p3 = prog_simple(prog_type, 24);
	if (p1 < 0 || p2 < 0 || p3 < 0 || bpf_map_update_elem(mfd, &k1, &p1, BPF_ANY) ||
	    bpf_map_update_elem(mfd, &k2, &p2, BPF_ANY) || bpf_map_update_elem(mfd, &k3, &p3, BPF_ANY)) {
		close(mfd);
		mfd = -1;
	}
	if (p1 >= 0) close(p1);
	if (p2 >= 0) close(p2);
	if (p3 >= 0) close(p3);
	return mfd;
}

static int btf_map(int type, uint32_t ksz, uint32_t vsz, uint32_t max, uint32_t flags, uint32_t value_id)
{
	LIBBPF_OPTS(bpf_btf_load_opts, bopts);
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags, .btf_key_type_id = 1, .btf_value_type_id = value_id);
	int btf_fd = bpf_btf_load(map_btf, map_btf_len, &bopts), fd;

	if (btf_fd < 0) return -1;
	opts.btf_fd = btf_fd;
	fd = bpf_map_create(type, "test_map", ksz, vsz, max, &opts);
	close(btf_fd);
	return fd;
}

static int create_kind(const char *kind, int prog_type, char *skip, size_t n)
{
	int fd;

	if (!strcmp(kind, "map_hash_8b")) return mk(BPF_MAP_TYPE_HASH, 8, 8, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_hash_48b")) return mk(BPF_MAP_TYPE_HASH, 8, sizeof(struct test_val), 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_hash_16b")) return mk(BPF_MAP_TYPE_HASH, 8, 16, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_array_48b")) { fd = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct test_val), 1, 0, kind, skip, n); seed_test_val(fd); return fd; }
	if (!strcmp(kind, "prog1")) return prog_array(prog_type, 4, 0, 1, 2, skip, n);
	if (!strcmp(kind, "prog2")) return prog_array(prog_type, 8, 7, 1, 2, skip, n);
	if (!strcmp(kind, "map_in_map")) {
		LIBBPF_OPTS(bpf_map_create_opts, opts);
		int inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
		if (inner < 0) return map_fail(BPF_MAP_TYPE_ARRAY, kind, skip, n);
		opts.inner_map_fd = inner;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL, 4, 4, 1, &opts);
		close(inner);
		return fd < 0 ? map_fail(BPF_MAP_TYPE_ARRAY_OF_MAPS, kind, skip, n) : fd;
	}
	if (!strcmp(kind, "cgroup_storage") || !strcmp(kind, "percpu_cgroup_storage")) {
		int type = kind[0] == 'p' ? BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE : BPF_MAP_TYPE_CGROUP_STORAGE;
		fd = bpf_map_create(type, NULL, sizeof(struct bpf_cgroup_storage_key), TEST_DATA_LEN, 0, NULL);
		return fd < 0 ? map_fail(type, kind, skip, n) : fd;
	}
	if (!strcmp(kind, "map_sockmap")) return mk(BPF_MAP_TYPE_SOCKMAP, 4, 4, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_sockhash")) return mk(BPF_MAP_TYPE_SOCKHASH, 4, 4, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_xskmap")) return mk(BPF_MAP_TYPE_XSKMAP, 4, 4, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_stacktrace")) return mk(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 1, 0, kind, skip, n);
	/* test_verifier creates these three without a skip probe: a failure only prints */
	if (!strcmp(kind, "map_spin_lock")) return btf_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 3);
	if (!strcmp(kind, "sk_storage_map")) return btf_map(BPF_MAP_TYPE_SK_STORAGE, 4, 8, 0, BPF_F_NO_PREALLOC, 3);
	if (!strcmp(kind, "map_timer")) return btf_map(BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, 5);
	if (!strcmp(kind, "map_kptr")) return btf_map(BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, 14);
	if (!strcmp(kind, "map_array_ro")) { fd = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct test_val), 1, BPF_F_RDONLY_PROG, kind, skip, n); seed_test_val(fd); return fd; }
	if (!strcmp(kind, "map_array_wo")) { fd = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct test_val), 1, BPF_F_WRONLY_PROG, kind, skip, n); seed_test_val(fd); return fd; }
	if (!strcmp(kind, "map_array_small")) { fd = mk(BPF_MAP_TYPE_ARRAY, 4, 1, 1, 0, kind, skip, n); seed_test_val(fd); return fd; }
	if (!strcmp(kind, "map_event_output")) return mk(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_reuseport_array")) return mk(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 1, 0, kind, skip, n);
	if (!strcmp(kind, "map_ringbuf")) return mk(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)getpagesize(), 0, kind, skip, n);
	fprintf(stderr, "test-verifier-harness: unknown map kind %s\n", kind);
	exit(2);
}

/* ---- one test ---- */

struct test {
	char id[64];
	int type, attach_type, flags, log_level, unpriv;
	unsigned char *insns; size_t insns_len;
	char maps[32][2][512]; int nmaps;
	char kfuncs[8][2][128]; int nkfuncs;
	char attach[128];
	unsigned char *btf; size_t btf_len;
	unsigned char *finfo; size_t finfo_len;
	unsigned char *runs[MAX_RUNS]; size_t run_len[MAX_RUNS]; int nruns;
	bool xlated;
};

static struct btf *vmlinux;

static void run_test(struct test *t)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct bpf_insn *prog = (struct bpf_insn *)t->insns;
	int n = (int)(t->insns_len / sizeof(struct bpf_insn));
	int fds[32], nfds = 0, btf_fd = -1, fd = -1, err;
	char skip[160] = "";

	if (t->unpriv) caps_set(ADMIN_CAPS, false);
	for (int i = 0; i < t->nmaps; i++) {
		int mfd = create_kind(t->maps[i][0], t->type, skip, sizeof(skip));
		char *save, *tok;

		fds[nfds++] = mfd;
		for (tok = strtok_r(t->maps[i][1], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int idx = atoi(tok);
			if (idx >= 0 && idx < n) prog[idx].imm = mfd;
		}
	}
	for (int i = 0; i < t->nkfuncs; i++) {
		int id = 0, idx = atoi(t->kfuncs[i][1]);
		if (!vmlinux) vmlinux = btf__load_vmlinux_btf();
		if (vmlinux) { id = btf__find_by_name_kind(vmlinux, t->kfuncs[i][0], BTF_KIND_FUNC); if (id < 0) id = 0; }
		if (idx >= 0 && idx < n) prog[idx].imm = id;
	}
	printf("{\"id\":");
	json_str(t->id);
	if (skip[0]) {
		printf(",\"skip\":");
		json_str(skip);
		goto out;
	}
	opts.prog_flags = t->flags;
	opts.expected_attach_type = t->attach_type;
	opts.log_level = t->log_level;
	opts.log_buf = vlog;
	opts.log_size = LOG_SIZE;
	if (t->attach[0]) {
		int id = libbpf_find_vmlinux_btf_id(t->attach, t->attach_type);
		if (id < 0) { printf(",\"skip\":\"no BTF id for attach target\""); goto out; }
		opts.attach_btf_id = id;
	}
	if (t->btf) {
		LIBBPF_OPTS(bpf_btf_load_opts, bopts);
		btf_fd = bpf_btf_load(t->btf, t->btf_len, &bopts);
		if (btf_fd < 0) { printf(",\"skip\":\"the test's BTF does not load (%s)\"", errname(errno)); goto out; }
		opts.prog_btf_fd = btf_fd;
	}
	if (t->finfo) {
		opts.func_info = t->finfo;
		opts.func_info_cnt = (uint32_t)(t->finfo_len / sizeof(struct bpf_func_info));
		opts.func_info_rec_size = sizeof(struct bpf_func_info);
	}
	vlog[0] = 0;
	fd = bpf_prog_load(t->type, NULL, "GPL", prog, n, &opts);
	err = errno;
	/* test_verifier's own skips: a program type the host lacks, ENOTSUPP */
	if (fd < 0 && t->type != BPF_PROG_TYPE_TRACING && !libbpf_probe_bpf_prog_type(t->type, NULL)) {
		printf(",\"skip\":\"unsupported program type %d\"", t->type);
		goto out;
	}
	printf(",\"fd\":%s,\"errno\":", fd >= 0 ? "true" : "false");
	if (fd < 0) json_str(errname(err)); else fputs("null", stdout);
	printf(",\"log\":");
	json_str(vlog);
	if (fd >= 0 && t->nruns) {
		printf(",\"runs\":[");
		for (int i = 0; i < t->nruns; i++) {
			unsigned char out[TEST_DATA_LEN << 2];
			LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = t->runs[i], .data_size_in = (uint32_t)t->run_len[i],
				    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
			if (t->unpriv) caps_set(ADMIN_CAPS, true);
			err = bpf_prog_test_run_opts(fd, &topts) ? errno : 0;
			if (t->unpriv) caps_set(ADMIN_CAPS, false);
			printf("%s{\"errno\":", i ? "," : "");
			if (err) json_str(errname(err)); else fputs("null", stdout);
			printf(",\"retval\":%u}", topts.retval);
		}
		putchar(']');
	}
	if (fd >= 0 && t->xlated) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) && info.xlated_prog_len) {
			uint32_t xlen = info.xlated_prog_len;
			unsigned char *buf = calloc(1, xlen);
			memset(&info, 0, sizeof(info));
			info.xlated_prog_len = xlen;
			info.xlated_prog_insns = (uint64_t)(uintptr_t)buf;
			len = sizeof(info);
			if (!bpf_prog_get_info_by_fd(fd, &info, &len)) { printf(",\"xlated\":"); hex_out(buf, xlen); }
			free(buf);
		}
	}
out:
	printf("}\n");
	fflush(stdout);
	if (t->unpriv) caps_set(ADMIN_CAPS, true);
	if (fd >= 0) close(fd);
	if (btf_fd >= 0) close(btf_fd);
	for (int i = 0; i < nfds; i++) if (fds[i] >= 0) close(fds[i]);
}

static void reset(struct test *t)
{
	free(t->insns); free(t->btf); free(t->finfo);
	for (int i = 0; i < t->nruns; i++) free(t->runs[i]);
	memset(t, 0, sizeof(*t));
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

int main(void)
{
	static struct test t;
	static char line[1 << 22];
	bool unpriv_ok = true, unpriv_checked = false;

	libbpf_set_print(quiet);
	vlog = malloc(LOG_SIZE);
	caps_set(1ULL << CAP_SYS_ADMIN, false);
	while (fgets(line, sizeof(line), stdin)) {
		char *nl = strchr(line, '\n'), *arg;
		if (nl) *nl = 0;
		arg = strchr(line, ' ');
		if (arg) *arg++ = 0; else arg = line + strlen(line);
		if (!strcmp(line, "mapbtf")) map_btf = unhex(arg, &map_btf_len);
		else if (!strcmp(line, "test")) {
			reset(&t);
			sscanf(arg, "%63s %d %d %d %d %d", t.id, &t.type, &t.attach_type, &t.flags, &t.log_level, &t.unpriv);
		} else if (!strcmp(line, "insns")) t.insns = unhex(arg, &t.insns_len);
		else if (!strcmp(line, "map") && t.nmaps < 32) { sscanf(arg, "%511s %511s", t.maps[t.nmaps][0], t.maps[t.nmaps][1]); t.nmaps++; }
		else if (!strcmp(line, "kfunc") && t.nkfuncs < 8) { sscanf(arg, "%127s %127s", t.kfuncs[t.nkfuncs][0], t.kfuncs[t.nkfuncs][1]); t.nkfuncs++; }
		else if (!strcmp(line, "attach")) snprintf(t.attach, sizeof(t.attach), "%s", arg);
		else if (!strcmp(line, "btf")) t.btf = unhex(arg, &t.btf_len);
		else if (!strcmp(line, "funcinfo")) t.finfo = unhex(arg, &t.finfo_len);
		else if (!strcmp(line, "run") && t.nruns < MAX_RUNS) { t.runs[t.nruns] = unhex(arg, &t.run_len[t.nruns]); t.nruns++; }
		else if (!strcmp(line, "xlated")) t.xlated = true;
		else if (!strcmp(line, "end")) {
			if (t.unpriv && !unpriv_checked) { unpriv_ok = unpriv_sysctl_lower() == 0; unpriv_checked = true; }
			if (t.unpriv && !unpriv_ok) {
				printf("{\"id\":");
				json_str(t.id);
				printf(",\"skip\":\"kernel.unprivileged_bpf_disabled is 1\"}\n");
				fflush(stdout);
			} else run_test(&t);
		} else if (line[0]) { fprintf(stderr, "test-verifier-harness: bad line '%s'\n", line); return 2; }
	}
	reset(&t);
	return 0;
}
