// SPDX-License-Identifier: MIT
/*
 * verifier-harness: loads ONE program of a BPF object into the running kernel the way the kernel
 * selftests' test loader does, and prints what the kernel said as JSON. It is the oracle for
 * ebpfvm's verifier fixtures (scripts/record-verifier.mjs); built by scripts/kernel-tree.mjs against
 * the libbpf of the linux-source-6.12 tree, never committed as a binary.
 *
 *   verifier-harness OBJ --list                 programs (name, section, type, whether the test loader
 *                                               makes an @unpriv run of it) in object order, and maps
 *   verifier-harness OBJ PROG [--seed-test-val MAP] [--unpriv | --plain]
 *
 * For PROG: the object is opened, only PROG and the programs tagged __auxiliary are autoloaded,
 * PROG's annotations are read from its BTF decl tags (the plain "comment:tag", the 6.12
 * "comment:test_expect_msg=N=msg" and the newer "comment:N:tag" forms), its __flag bits are added
 * to the test loader's default flags, and it is loaded at its __log_level with a 2 MiB log buffer
 * (at level 0 libbpf retries a failed load at level 1 into the same buffer). CAP_SYS_ADMIN is
 * dropped from the effective set, as prog_tests/verifier.c does. When the load succeeds the program
 * is run once with BPF_PROG_TEST_RUN: 64 zero bytes in, 256 bytes out, repeat 1; syscall programs
 * get empty options. The annotations are checked against the result the way test_loader checks
 * them (verdict, __msg in order with {{regex}}, __not_msg, __retval) and the problems listed.
 *
 * --unpriv: the @unpriv run, as test_loader's run_subtest makes it: the _unpriv expectations (each
 * kind the program does not give inherited from the privileged one), the programs tagged
 * __auxiliary_unpriv (or __auxiliary with an unprivileged tag), maps an unprivileged user may not
 * create left uncreated (is_unpriv_capable_map; libbpf poisons their loads), CAP_SYS_ADMIN,
 * CAP_NET_ADMIN, CAP_PERFMON and CAP_BPF dropped from the effective set for the open and load and
 * restored for the test run.
 *
 * --plain: the verdict of a plain load by root, as a program's own prog_tests/ loads it (the
 * selftest sweep of scripts/kernel-progs.mjs, for programs that are not test_loader tests):
 * CAP_SYS_ADMIN kept, no test run (the annotation check still reports what it can). test_loader skips these runs when kernel.unprivileged_bpf_disabled is
 * set; the harness instead sets it to 0 for the load (root may lower Debian's default 2; 1 is
 * sticky and refused) under an flock, so concurrent harnesses never see each other's value, and
 * puts the old value back right after the load, at exit and on SIGINT/SIGTERM/SIGHUP. The old
 * value is also kept in a state file until restored, so a harness killed in between is repaired by
 * the next one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "unpriv-sysctl.h"

#define LOG_BUF_SIZE (2 * 1024 * 1024)
#define TEST_DATA_LEN 64
#define POINTER_VALUE 0xcafe4a
#define MAX_TAGS 256

#ifndef BPF_F_TEST_REG_INVARIANTS
#define BPF_F_TEST_REG_INVARIANTS (1U << 7)
#endif
#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif


struct tag { long order; int idx; const char *payload; };

struct spec {
	bool expect_failure, auxiliary, has_retval, is_test;
	bool mode_priv, mode_unpriv; /* test_loader's mode_mask: which runs the program gets */
	int retval, log_level, flags;
	const char *msgs[MAX_TAGS];
	bool msg_negated[MAX_TAGS];
	int msg_cnt;
	char problems[8192];
};

static char *log_buf;

static void problem(struct spec *s, const char *fmt, ...)
{
	size_t used = strlen(s->problems);
	va_list ap;

	if (used && used < sizeof(s->problems) - 2) { s->problems[used++] = '\n'; s->problems[used] = 0; }
	va_start(ap, fmt);
	vsnprintf(s->problems + used, sizeof(s->problems) - used, fmt, ap);
	va_end(ap);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
		else if (c == '\n') fputs("\\n", f);
		else if (c == '\t') fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
		else fputc(c, f);
	}
	fputc('"', f);
}

static int cmp_tag(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;

	if (x->order != y->order) return x->order < y->order ? -1 : 1;
	return x->idx - y->idx;
}

/* test_loader's parse_retval, plus the literal suffixes an XSTR()-expanded constant carries. */
static int parse_retval(const char *str, int *val)
{
	char *end;
	long long v;

	if (!strcmp(str, "INT_MIN") || !strcmp(str, "_INT_MIN")) { *val = INT_MIN; return 0; }
	if (!strcmp(str, "POINTER_VALUE")) { *val = POINTER_VALUE; return 0; }
	if (!strcmp(str, "TEST_DATA_LEN")) { *val = TEST_DATA_LEN; return 0; }
	errno = 0;
	v = strtoll(str, &end, 0);
	while (*end == 'l' || *end == 'L' || *end == 'u' || *end == 'U') end++;
	if (errno || end == str || *end) return -1;
	*val = (int)v;
	return 0;
}

static int parse_flag(const char *val, int *flags)
{
	bool clear = val[0] == '!';
	int f;

	if (clear) val++;
	if (!strcmp(val, "BPF_F_STRICT_ALIGNMENT")) f = BPF_F_STRICT_ALIGNMENT;
	else if (!strcmp(val, "BPF_F_ANY_ALIGNMENT")) f = BPF_F_ANY_ALIGNMENT;
	else if (!strcmp(val, "BPF_F_TEST_RND_HI32")) f = BPF_F_TEST_RND_HI32;
	else if (!strcmp(val, "BPF_F_TEST_STATE_FREQ")) f = BPF_F_TEST_STATE_FREQ;
	else if (!strcmp(val, "BPF_F_SLEEPABLE")) f = BPF_F_SLEEPABLE;
	else if (!strcmp(val, "BPF_F_XDP_HAS_FRAGS")) f = BPF_F_XDP_HAS_FRAGS;
	else if (!strcmp(val, "BPF_F_TEST_REG_INVARIANTS")) f = BPF_F_TEST_REG_INVARIANTS;
	else { char *end; errno = 0; f = strtol(val, &end, 0); if (errno || *end) return -1; }
	if (clear) *flags &= ~f; else *flags |= f;
	return 0;
}

/* After "test_expect_msg=": the 6.12 form carries "<counter>=" before the message. */
static const char *msg_text(const char *rest, bool counter_prefixed)
{
	const char *p = rest;

	if (counter_prefixed) return rest;
	while (*p >= '0' && *p <= '9') p++;
	if (p != rest && *p == '=') return p + 1;
	return rest;
}

/* The test loader ORs testing_prog_flags() into every program's flags: a probe that loads a
 * program named "flag-test" with BPF_F_TEST_RND_HI32 and BPF_F_TEST_REG_INVARIANTS. The kernel
 * refuses that name (a '-' is not allowed in program names), so the probe finds no flag and the
 * selftests load with none; so do we. */
static int default_flags(void)
{
	return 0;
}

/* The expectations of one run (test_loader's parse_test_spec): the privileged ones, or with
 * `unpriv` the _unpriv ones, each kind (verdict, messages, retval) the program does not give for
 * that run inherited from the privileged run. */
static int parse_spec(struct btf *btf, const char *name, struct spec *s, int base_flags, bool unpriv)
{
	static struct tag tags[MAX_TAGS];
	static const char *umsgs[MAX_TAGS];
	static bool unegated[MAX_TAGS];
	int func_id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC), n = 0, umsg_cnt = 0, uretval = 0;
	bool ufailure = false, uhas_result = false, uhas_retval = false;

	memset(s, 0, sizeof(*s));
	s->flags = base_flags;
	if (func_id < 0) return -1;
	for (unsigned i = 1; i < btf__type_cnt(btf) && n < MAX_TAGS; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *str, *p;
		long order = -1;

		if (!btf_is_decl_tag(t) || t->type != (unsigned)func_id || btf_decl_tag(t)->component_idx != -1) continue;
		str = btf__str_by_offset(btf, t->name_off);
		if (strncmp(str, "comment:", 8)) continue;
		p = str + 8;
		if (*p >= '0' && *p <= '9') {
			char *end;
			long v = strtol(p, &end, 10);
			if (*end == ':') { order = v; p = end + 1; }
		}
		tags[n].order = order;
		tags[n].idx = n;
		tags[n].payload = p;
		n++;
	}
	qsort(tags, n, sizeof(tags[0]), cmp_tag);
	for (int i = 0; i < n; i++) {
		const char *p = tags[i].payload;
		bool counted = tags[i].order >= 0;

		if (!strcmp(p, "test_expect_failure")) { s->expect_failure = true; s->is_test = true; s->mode_priv = true; }
		else if (!strcmp(p, "test_expect_success")) { s->expect_failure = false; s->is_test = true; s->mode_priv = true; }
		else if (!strcmp(p, "test_expect_failure_unpriv")) { ufailure = true; uhas_result = true; s->mode_unpriv = true; }
		else if (!strcmp(p, "test_expect_success_unpriv")) { ufailure = false; uhas_result = true; s->mode_unpriv = true; }
		else if (!strcmp(p, "test_auxiliary")) { s->auxiliary = true; s->mode_priv = true; }
		else if (!strcmp(p, "test_auxiliary_unpriv")) { s->auxiliary = true; s->mode_unpriv = true; }
		else if (!strncmp(p, "test_expect_msg=", 16)) {
			s->msg_negated[s->msg_cnt] = false;
			s->msgs[s->msg_cnt++] = msg_text(p + 16, counted);
			s->is_test = true;
			s->mode_priv = true;
		} else if (!strncmp(p, "test_expect_not_msg=", 20)) {
			s->msg_negated[s->msg_cnt] = true;
			s->msgs[s->msg_cnt++] = msg_text(p + 20, counted);
			s->is_test = true;
			s->mode_priv = true;
		} else if (!strncmp(p, "test_expect_msg_unpriv=", 23)) {
			unegated[umsg_cnt] = false;
			umsgs[umsg_cnt++] = msg_text(p + 23, counted);
			s->mode_unpriv = true;
		} else if (!strncmp(p, "test_expect_not_msg_unpriv=", 27)) {
			unegated[umsg_cnt] = true;
			umsgs[umsg_cnt++] = msg_text(p + 27, counted);
			s->mode_unpriv = true;
		} else if (!strncmp(p, "test_retval=", 12)) {
			if (parse_retval(p + 12, &s->retval)) problem(s, "cannot parse retval '%s'", p + 12);
			s->has_retval = true;
			s->is_test = true;
			s->mode_priv = true;
		} else if (!strncmp(p, "test_retval_unpriv=", 19)) {
			if (parse_retval(p + 19, &uretval)) problem(s, "cannot parse retval '%s'", p + 19);
			uhas_retval = true;
			s->mode_unpriv = true;
		} else if (!strncmp(p, "test_expect_xlated=", 19) || !strncmp(p, "test_jited=", 11)) {
			/* not checked here, but they make a privileged run */
			s->mode_priv = true;
		} else if (!strncmp(p, "test_expect_xlated_unpriv=", 26) || !strncmp(p, "test_jited_unpriv=", 18)) {
			s->mode_unpriv = true;
		} else if (!strncmp(p, "test_log_level=", 15)) {
			char *end;
			s->log_level = strtol(p + 15, &end, 0);
			if (*end) problem(s, "cannot parse log level '%s'", p + 15);
		} else if (!strncmp(p, "test_prog_flags=", 16)) {
			if (parse_flag(p + 16, &s->flags)) problem(s, "cannot parse flag '%s'", p + 16);
		}
	}
	if (!s->mode_priv && !s->mode_unpriv) s->mode_priv = true;
	if (unpriv) {
		if (uhas_result) s->expect_failure = ufailure;
		if (uhas_retval) { s->retval = uretval; s->has_retval = true; }
		if (umsg_cnt) {
			memcpy(s->msgs, umsgs, sizeof(umsgs[0]) * umsg_cnt);
			memcpy(s->msg_negated, unegated, sizeof(unegated[0]) * umsg_cnt);
			s->msg_cnt = umsg_cnt;
		}
	}
	return 0;
}

/* test_loader's compile_regex: literal text escaped, {{...}} copied raw; POSIX ERE, REG_NEWLINE. */
static int compile_pattern(const char *pat, regex_t *re)
{
	char buf[1024], *o = buf;
	bool in = false;

	while (*pat && o < buf + sizeof(buf) - 3) {
		if (!in && !strncmp(pat, "{{", 2)) { in = true; pat += 2; continue; }
		if (in && !strncmp(pat, "}}", 2)) { in = false; pat += 2; continue; }
		if (!in && strchr(".[]\\()*+?{}|^$", *pat)) *o++ = '\\';
		*o++ = *pat++;
	}
	*o = 0;
	if (*pat || in) return -1;
	return regcomp(re, buf, REG_EXTENDED | REG_NEWLINE);
}

/* Find pat in log from *pos; on a match set [*start,*end) and return true. */
static bool find_msg(const char *log, const char *pat, const char **start, const char **end, bool *bad)
{
	if (!strstr(pat, "{{")) {
		const char *m = strstr(log, pat);
		if (!m) return false;
		*start = m; *end = m + strlen(pat);
		return true;
	} else {
		regex_t re;
		regmatch_t rm[1];
		bool ok;

		if (compile_pattern(pat, &re)) { *bad = true; return false; }
		ok = regexec(&re, log, 1, rm, 0) == 0;
		if (ok) { *start = log + rm[0].rm_so; *end = log + rm[0].rm_eo; }
		regfree(&re);
		return ok;
	}
}

/* __msg in order; a __not_msg must not occur between the previous match and the next one. */
static void check_msgs(struct spec *s, const char *log)
{
	const char *pos = log;

	for (int i = 0; i < s->msg_cnt; i++) {
		const char *st, *en;
		bool bad = false;

		if (s->msg_negated[i]) {
			const char *limit_end = NULL;
			char *region;
			size_t len;

			/* region: up to the next positive match (or the end of the log) */
			for (int j = i + 1; j < s->msg_cnt; j++) {
				if (s->msg_negated[j]) continue;
				if (find_msg(pos, s->msgs[j], &st, &en, &bad)) limit_end = st;
				break;
			}
			len = limit_end ? (size_t)(limit_end - pos) : strlen(pos);
			region = strndup(pos, len);
			if (find_msg(region, s->msgs[i], &st, &en, &bad))
				problem(s, "unexpected message present: '%s'", s->msgs[i]);
			free(region);
			continue;
		}
		if (!find_msg(pos, s->msgs[i], &st, &en, &bad)) {
			problem(s, bad ? "bad pattern: '%s'" : "expected message not found (in order): '%s'", s->msgs[i]);
			return;
		}
		pos = en;
	}
}

/* Drop CAP_SYS_ADMIN from the effective set, as prog_tests/verifier.c's RUN() does. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data)) { perror("capget"); exit(2); }
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data)) { perror("capset"); exit(2); }
}

/* test_loader's drop_capabilities/restore_capabilities: the four capabilities an unprivileged
 * user lacks leave the effective set for the load and come back for the test run. */
static struct __user_cap_data_struct saved_caps[2];
static bool caps_dropped;

static void drop_unpriv_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	const int caps[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON, CAP_BPF };

	if (syscall(SYS_capget, &hdr, data)) { perror("capget"); exit(2); }
	memcpy(saved_caps, data, sizeof(data));
	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		data[CAP_TO_INDEX(caps[i])].effective &= ~CAP_TO_MASK(caps[i]);
	if (syscall(SYS_capset, &hdr, data)) { perror("capset"); exit(2); }
	caps_dropped = true;
}

static void restore_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	if (!caps_dropped) return;
	if (syscall(SYS_capset, &hdr, saved_caps)) { perror("capset (restore)"); exit(2); }
	caps_dropped = false;
}

/* test_loader's is_unpriv_capable_map: the map types map_create gives an unprivileged user. */
static bool unpriv_capable_map(const struct bpf_map *map)
{
	switch (bpf_map__type(map)) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return !(bpf_map__map_flags(map) & BPF_F_ZERO_SEED);
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_USER_RINGBUF:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return true;
	default:
		return false;
	}
}

/* The C driver's pre-execution callback for verifier_array_access / verifier_value_ptr_arith. */
static int seed_test_val(struct bpf_object *obj, const char *map_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
	unsigned char value[4096] = {};
	unsigned int index = (6 + 1) * sizeof(int), foo6 = 0xabcdef12;
	int key = 0;

	if (!map || bpf_map__value_size(map) > sizeof(value) || bpf_map__value_size(map) < 32) return -1;
	memcpy(value, &index, 4);
	memcpy(value + 4 + 6 * 4, &foo6, 4);
	return bpf_map__update_elem(map, &key, sizeof(key), value, bpf_map__value_size(map), 0);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("HARNESS_VERBOSE")) return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj_path, *prog_name, *seed_map = NULL;
	struct bpf_program *prog, *target = NULL;
	struct bpf_object *obj;
	struct spec spec, other;
	int err, load_errno = 0, base_flags;
	bool loaded, ran = false, unpriv = false, plain = false;
	int retval = 0;
	unsigned char data_in[TEST_DATA_LEN] = {}, data_out[TEST_DATA_LEN << 2] = {};
	__u32 out_size = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ --list | OBJ PROG [--seed-test-val MAP] [--unpriv | --plain]\n", argv[0]);
		return 2;
	}
	obj_path = argv[1];
	prog_name = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--seed-test-val") && i + 1 < argc) seed_map = argv[++i];
		else if (!strcmp(argv[i], "--unpriv")) unpriv = true;
		else if (!strcmp(argv[i], "--plain")) plain = true;
		else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
	}
	libbpf_set_print(quiet_print);

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) { fprintf(stderr, "cannot open %s: %s\n", obj_path, strerror(errno)); return 2; }
	/* no LIBBPF_PIN_BY_NAME pins in /sys/fs/bpf (6.1's test_sk_assign left server_map): every
	 * load gets fresh maps, as progs-harness does */
	{
		struct bpf_map *pin_map;

		bpf_object__for_each_map(pin_map, obj) bpf_map__set_pin_path(pin_map, NULL);
	}

	if (!strcmp(prog_name, "--list")) {
		struct bpf_map *map;
		bool first = true;

		printf("{\"programs\":[");
		bpf_object__for_each_program(prog, obj) {
			printf("%s{\"name\":", first ? "" : ",");
			json_str(stdout, bpf_program__name(prog));
			printf(",\"section\":");
			json_str(stdout, bpf_program__section_name(prog));
			printf(",\"type\":");
			json_str(stdout, libbpf_bpf_prog_type_str(bpf_program__type(prog)) ?: "unknown");
			/* whether test_loader makes an @unpriv run of it */
			printf(",\"unpriv\":%s}", !parse_spec(bpf_object__btf(obj), bpf_program__name(prog), &other, 0, false) &&
			       !other.auxiliary && other.mode_unpriv ? "true" : "false");
			first = false;
		}
		printf("],\"maps\":[");
		first = true;
		bpf_object__for_each_map(map, obj) {
			printf("%s{\"name\":", first ? "" : ",");
			json_str(stdout, bpf_map__name(map));
			printf(",\"type\":");
			json_str(stdout, libbpf_bpf_map_type_str(bpf_map__type(map)) ?: "unknown");
			printf(",\"internal\":%s}", bpf_map__is_internal(map) ? "true" : "false");
			first = false;
		}
		printf("]}\n");
		return 0;
	}

	if (!plain) drop_sys_admin();
	base_flags = default_flags();
	bpf_object__for_each_program(prog, obj) {
		bool load = false;

		if (!strcmp(bpf_program__name(prog), prog_name)) { target = prog; load = true; }
		/* test_loader: auxiliary programs tagged for this run's mode */
		else if (!parse_spec(bpf_object__btf(obj), bpf_program__name(prog), &other, 0, false) && other.auxiliary &&
			 (unpriv ? other.mode_unpriv : other.mode_priv)) load = true;
		bpf_program__set_autoload(prog, load);
	}
	if (!target) { fprintf(stderr, "no program %s in %s\n", prog_name, obj_path); return 2; }
	if (parse_spec(bpf_object__btf(obj), prog_name, &spec, base_flags, unpriv)) {
		fprintf(stderr, "no BTF FUNC for %s\n", prog_name);
		return 2;
	}
	if (unpriv && !spec.mode_unpriv) {
		fprintf(stderr, "%s has no @unpriv run (no _unpriv annotation)\n", prog_name);
		return 2;
	}
	if (unpriv) {
		struct bpf_map *map;

		bpf_object__for_each_map(map, obj) bpf_map__set_autocreate(map, unpriv_capable_map(map));
	}

	/* HARNESS_LOG_LEVEL overrides the annotation's level (log comparisons at level 2); the
	 * annotation check then still runs, against that log. */
	if (getenv("HARNESS_LOG_LEVEL")) spec.log_level = atoi(getenv("HARNESS_LOG_LEVEL"));
	log_buf = calloc(LOG_BUF_SIZE, 1);
	bpf_program__set_log_buf(target, log_buf, LOG_BUF_SIZE);
	bpf_program__set_log_level(target, spec.log_level);
	bpf_program__set_flags(target, bpf_program__flags(target) | spec.flags);

	if (unpriv) {
		/* libbpf probes kernel features once per process and caches them; under test_progs the
		 * privileged runs before have probed them with every capability (an unprivileged probe
		 * would find e.g. no expected_attach_type support, as it may not load a cgroup_sock
		 * program). Probe them so: a privileged load of the same selection, then thrown away. */
		struct bpf_object *probe = bpf_object__open_file(obj_path, NULL);

		if (probe) {
			struct bpf_program *pp;
			struct bpf_map *pin_map;

			bpf_object__for_each_map(pin_map, probe) bpf_map__set_pin_path(pin_map, NULL);

			bpf_object__for_each_program(pp, probe) {
				struct bpf_program *orig = bpf_object__find_program_by_name(obj, bpf_program__name(pp));

				bpf_program__set_autoload(pp, orig && bpf_program__autoload(orig));
			}
			bpf_object__load(probe);
			bpf_object__close(probe);
		}
		if (unpriv_sysctl_lower()) {
			fprintf(stderr, "kernel.unprivileged_bpf_disabled is 1, which cannot be lowered until reboot: no unprivileged runs\n");
			exit(3);
		}
		drop_unpriv_caps();
	}
	err = bpf_object__load(obj);
	loaded = err == 0;
	if (!loaded) load_errno = -err;
	/* test_loader restores the capabilities before the test run */
	if (unpriv) {
		restore_caps();
		unpriv_sysctl_release();
	}

	if (loaded && seed_map && seed_test_val(obj, seed_map))
		problem(&spec, "cannot seed map %s", seed_map);
	if (loaded && !plain) {
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = data_in, .data_size_in = sizeof(data_in),
			    .data_out = data_out, .data_size_out = sizeof(data_out), .repeat = 1);
		bool empty = bpf_program__type(target) == BPF_PROG_TYPE_SYSCALL;

		if (empty) {
			memset(&topts, 0, sizeof(topts));
			topts.sz = sizeof(topts);
		}
		if (bpf_prog_test_run_opts(bpf_program__fd(target), &topts) == 0) {
			ran = true;
			retval = (int)topts.retval;
			out_size = empty ? 0 : topts.data_size_out;
			if (out_size > sizeof(data_out)) out_size = sizeof(data_out);
		}
	}

	/* the annotation check, as test_loader does it */
	if (spec.expect_failure && loaded) problem(&spec, "expected load failure, but the program loaded");
	if (!spec.expect_failure && !loaded) problem(&spec, "expected load success, but it failed (errno %d)", load_errno);
	if (spec.expect_failure == !loaded) check_msgs(&spec, log_buf);
	if (loaded && spec.has_retval && spec.retval != POINTER_VALUE) {
		if (!ran) problem(&spec, "BPF_PROG_TEST_RUN failed");
		else if (retval != spec.retval) problem(&spec, "unexpected retval: %d != %d", retval, spec.retval);
	}

	printf("{\"prog\":");
	json_str(stdout, prog_name);
	printf(",\"type\":");
	json_str(stdout, libbpf_bpf_prog_type_str(bpf_program__type(target)) ?: "unknown");
	printf(",\"loaded\":%s,\"errno\":%d,\"logLevel\":%d,\"log\":", loaded ? "true" : "false", load_errno,
	       !loaded && spec.log_level == 0 ? 1 : spec.log_level);
	json_str(stdout, log_buf);
	if (ran) {
		printf(",\"retval\":%d,\"dataOut\":\"", retval);
		for (__u32 i = 0; i < out_size; i++) printf("%02x", data_out[i]);
		printf("\"");
	} else {
		printf(",\"retval\":null,\"dataOut\":null");
	}
	printf(",\"progFlags\":%d,\"isTest\":%s,\"satisfied\":%s,\"problems\":", spec.flags,
	       spec.is_test ? "true" : "false", spec.problems[0] ? "false" : "true");
	json_str(stdout, spec.problems);
	printf("}\n");
	bpf_object__close(obj);
	return 0;
}
