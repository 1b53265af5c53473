// SPDX-License-Identifier: MIT
/*
 * extract.c: dumps the raw-instruction verifier tests of a Linux tree
 * (tools/testing/selftests/bpf/verifier/*.c, the table test_verifier builds) as JSON, one test per
 * line, for scripts/test-verifier.mjs. Nothing here loads a program: the JSON is what both sides
 * (ebpfvm and the host harness test/kernel/harness/test-verifier-harness.c) run.
 *
 * Built by the script on the host (cc), per tree, with
 *   -I <tree>/tools/testing/selftests/bpf -I <tree>/tools/include -I <tree>/tools/include/uapi
 *   -I <generated dir>   (tv-files.h: one array per verifier/*.c file, written by the script)
 *
 * The test files are designated initialisers of test_verifier.c's `struct bpf_test`; the struct is
 * declared here with the same field names and types (6.1 and 6.12 have the same set), plus the few
 * macros and constants the files use. Test programs a `fill_helper` generates are named (the
 * helper) and not generated here: the script reports them as skipped.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <errno.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/bpf_perf_event.h>
#include <linux/if_ether.h>
#include "../harness/harness-io.h" /* json_str */
#include <linux/filter.h> /* tools/include/linux/filter.h (first on the path): the BPF_* insn macros */
#include "test_btf.h"                       /* BTF_*_ENC for the tests that carry their own BTF */

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* The sizes test_verifier.c gives its tables. */
#define MAX_INSNS BPF_MAXINSNS
#define MAX_EXPECTED_INSNS 32
#define MAX_UNEXPECTED_INSNS 32
#define MAX_FIXUPS 8
#define MAX_TEST_RUNS 8
#define TEST_DATA_LEN 64
#define MAX_FUNC_INFOS 8
#define MAX_BTF_STRINGS 256
#define MAX_BTF_TYPES 256
#define POINTER_VALUE 0xcafe4all
#define INSN_OFF_MASK ((__s16)0xFFFF)
#define INSN_IMM_MASK ((__s32)0xFFFFFFFF)
#define SKIP_INSNS() BPF_RAW_INSN(0xde, 0xa, 0xd, 0xbeef, 0xdeadbeef)
#define F_NEEDS_EFFICIENT_UNALIGNED_ACCESS (1 << 0)
#define F_LOAD_WITH_STRICT_ALIGNMENT (1 << 1)
#define F_NEEDS_JIT_ENABLED (1 << 2)
#define MAX_ENTRIES 11

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

struct test_val {
	unsigned int index;
	int foo[MAX_ENTRIES];
};

struct other_val {
	long long foo;
	long long bar;
};

struct kfunc_btf_id_pair {
	const char *kfunc;
	int insn_idx;
};

struct bpf_test;
typedef void (*fill_fn)(struct bpf_test *);

struct bpf_test {
	const char *descr;
	struct bpf_insn insns[MAX_INSNS];
	struct bpf_insn *fill_insns;
	struct bpf_insn expected_insns[MAX_EXPECTED_INSNS];
	struct bpf_insn unexpected_insns[MAX_UNEXPECTED_INSNS];
	int fixup_map_hash_8b[MAX_FIXUPS];
	int fixup_map_hash_48b[MAX_FIXUPS];
	int fixup_map_hash_16b[MAX_FIXUPS];
	int fixup_map_array_48b[MAX_FIXUPS];
	int fixup_map_sockmap[MAX_FIXUPS];
	int fixup_map_sockhash[MAX_FIXUPS];
	int fixup_map_xskmap[MAX_FIXUPS];
	int fixup_map_stacktrace[MAX_FIXUPS];
	int fixup_prog1[MAX_FIXUPS];
	int fixup_prog2[MAX_FIXUPS];
	int fixup_map_in_map[MAX_FIXUPS];
	int fixup_cgroup_storage[MAX_FIXUPS];
	int fixup_percpu_cgroup_storage[MAX_FIXUPS];
	int fixup_map_spin_lock[MAX_FIXUPS];
	int fixup_map_array_ro[MAX_FIXUPS];
	int fixup_map_array_wo[MAX_FIXUPS];
	int fixup_map_array_small[MAX_FIXUPS];
	int fixup_sk_storage_map[MAX_FIXUPS];
	int fixup_map_event_output[MAX_FIXUPS];
	int fixup_map_reuseport_array[MAX_FIXUPS];
	int fixup_map_ringbuf[MAX_FIXUPS];
	int fixup_map_timer[MAX_FIXUPS];
	int fixup_map_kptr[MAX_FIXUPS];
	struct kfunc_btf_id_pair fixup_kfunc_btf_id[MAX_FIXUPS];
	const char *errstr;
	const char *errstr_unpriv;
	uint32_t insn_processed;
	int prog_len;
	enum { UNDEF, ACCEPT, REJECT, VERBOSE_ACCEPT } result, result_unpriv;
	enum bpf_prog_type prog_type;
	uint8_t flags;
	fill_fn fill_helper;
	int runs;
#define TV_RUN_STRUCT                          \
	struct {                               \
		uint32_t retval, retval_unpriv; \
		union {                        \
			__u8 data[TEST_DATA_LEN];      \
			__u64 data64[TEST_DATA_LEN / 8]; \
		};                             \
	}
	union {
		TV_RUN_STRUCT;
		TV_RUN_STRUCT retvals[MAX_TEST_RUNS];
	};
	enum bpf_attach_type expected_attach_type;
	const char *kfunc;
	struct bpf_func_info func_info[MAX_FUNC_INFOS];
	int func_info_cnt;
	char btf_strings[MAX_BTF_STRINGS];
	__u32 btf_types[MAX_BTF_TYPES];
};

/* Program generators the test table names; only their names are dumped. */
#define TV_FILL(name) static void name(struct bpf_test *self) { (void)self; }
TV_FILL(bpf_fill_ld_abs_vlan_push_pop)
TV_FILL(bpf_fill_jump_around_ld_abs)
TV_FILL(bpf_fill_rand_ld_dw)
TV_FILL(bpf_fill_scale)
TV_FILL(bpf_fill_torturous_jumps)
TV_FILL(bpf_fill_big_prog_with_loop_1)

static const struct { fill_fn fn; const char *name; } fills[] = {
	{ bpf_fill_ld_abs_vlan_push_pop, "bpf_fill_ld_abs_vlan_push_pop" },
	{ bpf_fill_jump_around_ld_abs, "bpf_fill_jump_around_ld_abs" },
	{ bpf_fill_rand_ld_dw, "bpf_fill_rand_ld_dw" },
	{ bpf_fill_scale, "bpf_fill_scale" },
	{ bpf_fill_torturous_jumps, "bpf_fill_torturous_jumps" },
	{ bpf_fill_big_prog_with_loop_1, "bpf_fill_big_prog_with_loop_1" },
};

/* Instruction sequences the test files use by name (test_verifier.c defines them; the fixup
 * indices in the tests count their instructions, so each must be exactly this long). */

/* 13 insns: a zeroed struct bpf_sock_tuple at fp-48, then func(ctx, &tuple, sizeof, 0, 0). */
#define BPF_SK_LOOKUP(func)                                              \
	BPF_MOV64_IMM(BPF_REG_2, 0),                                     \
	BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_2, -8),                   \
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -16),                 \
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -24),                 \
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -32),                 \
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -40),                 \
	BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -48),                 \
	BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),                            \
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -48),                          \
	BPF_MOV64_IMM(BPF_REG_3, sizeof(struct bpf_sock_tuple)),         \
	BPF_MOV64_IMM(BPF_REG_4, 0),                                     \
	BPF_MOV64_IMM(BPF_REG_5, 0),                                     \
	BPF_EMIT_CALL(BPF_FUNC_ ## func)

/* 7 insns: r0 = 0; r2 = skb->data, r3 = skb->data_end; exit unless 8 bytes are there. */
#define BPF_DIRECT_PKT_R2                                                            \
	BPF_MOV64_IMM(BPF_REG_0, 0),                                                 \
	BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, offsetof(struct __sk_buff, data)),     \
	BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_1, offsetof(struct __sk_buff, data_end)), \
	BPF_MOV64_REG(BPF_REG_4, BPF_REG_2),                                         \
	BPF_ALU64_IMM(BPF_ADD, BPF_REG_4, 8),                                        \
	BPF_JMP_REG(BPF_JLE, BPF_REG_4, BPF_REG_3, 1),                               \
	BPF_EXIT_INSN()

/* 4 insns: r7 = a random u32 below 2^31, zero-extended. */
#define BPF_RAND_UEXT_R7                                                 \
	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32), \
	BPF_MOV64_REG(BPF_REG_7, BPF_REG_0),                             \
	BPF_ALU64_IMM(BPF_LSH, BPF_REG_7, 33),                           \
	BPF_ALU64_IMM(BPF_RSH, BPF_REG_7, 33)

/* 5 insns: r7 = a random negative s32, sign-extended. */
#define BPF_RAND_SEXT_R7                                                 \
	BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32), \
	BPF_MOV64_REG(BPF_REG_7, BPF_REG_0),                             \
	BPF_ALU64_IMM(BPF_OR, BPF_REG_7, 0x80000000),                    \
	BPF_ALU64_IMM(BPF_LSH, BPF_REG_7, 32),                           \
	BPF_ALU64_IMM(BPF_ARSH, BPF_REG_7, 32)

struct tv_file {
	const char *name;
	struct bpf_test *tests;
	size_t count;
};

#define FILL_ARRAY
#include "tv-files.h" /* generated: TV_FILES, the per-file arrays */

/* a string, or null for an absent one (harness-io.h's json_str takes only strings) */
static void json_opt_str(const char *s)
{
	if (!s) fputs("null", stdout);
	else json_str(s);
}

static int insn_is_zero(const struct bpf_insn *x)
{
	static const struct bpf_insn zero;
	return !memcmp(x, &zero, sizeof(zero));
}

static void insns_out(const struct bpf_insn *x, int n)
{
	putchar('[');
	for (int i = 0; i < n; i++)
		printf("%s[%u,%u,%u,%d,%d]", i ? "," : "", x[i].code, x[i].dst_reg, x[i].src_reg, x[i].off, x[i].imm);
	putchar(']');
}

/* A null-terminated pattern (expected_insns): up to its first all-zero insn. */
static void pattern_out(const char *key, const struct bpf_insn *x, int max)
{
	int n = 0;
	while (n < max && !insn_is_zero(&x[n])) n++;
	if (!n) return;
	printf(",\"%s\":", key);
	insns_out(x, n);
}

static void fixup_out(const char *key, const int *idx, int *first)
{
	if (!idx[0]) return;
	printf("%s\"%s\":[", *first ? "" : ",", key);
	for (int i = 0; i < MAX_FIXUPS && idx[i]; i++) printf("%s%d", i ? "," : "", idx[i]);
	putchar(']');
	*first = 0;
}

static const char *result_name(int r)
{
	switch (r) {
	case ACCEPT: return "ACCEPT";
	case REJECT: return "REJECT";
	case VERBOSE_ACCEPT: return "VERBOSE_ACCEPT";
	default: return NULL;
	}
}

static void dump(const char *file, int index, struct bpf_test *t)
{
	int len = 0, first = 1;

	/* test_verifier's probe_filter_length: up to the last insn with a code or an imm */
	for (len = MAX_INSNS - 1; len > 0; --len)
		if (t->insns[len].code != 0 || t->insns[len].imm != 0) break;
	len++;

	printf("{\"file\":");
	json_opt_str(file);
	printf(",\"index\":%d,\"descr\":", index);
	json_opt_str(t->descr);
	if (t->fill_helper) {
		const char *name = "unknown";
		for (size_t i = 0; i < ARRAY_SIZE(fills); i++)
			if (fills[i].fn == t->fill_helper) name = fills[i].name;
		printf(",\"fill\":\"%s\"", name);
	} else {
		printf(",\"insns\":");
		insns_out(t->insns, len);
	}
	printf(",\"progType\":%d,\"expectedAttachType\":%d,\"flags\":%u", t->prog_type, t->expected_attach_type, t->flags);
	printf(",\"result\":");
	json_opt_str(result_name(t->result));
	printf(",\"resultUnpriv\":");
	json_opt_str(result_name(t->result_unpriv));
	printf(",\"errstr\":");
	json_opt_str(t->errstr);
	printf(",\"errstrUnpriv\":");
	json_opt_str(t->errstr_unpriv);
	if (t->insn_processed) printf(",\"insnProcessed\":%u", t->insn_processed);
	if (t->kfunc) { printf(",\"kfunc\":"); json_opt_str(t->kfunc); }
	/* runs: 0 means one run with the top-level retval/data (they alias retvals[0]); < 0 none */
	printf(",\"runs\":[");
	if (t->runs >= 0) {
		int n = t->runs ? t->runs : 1;
		for (int i = 0; i < n && i < MAX_TEST_RUNS; i++) {
			int end = TEST_DATA_LEN; /* trailing zero bytes left out: the runner pads to 64 */
			while (end > 0 && !t->retvals[i].data[end - 1]) end--;
			printf("%s{\"retval\":%u,\"retvalUnpriv\":%u,\"data\":\"", i ? "," : "", t->retvals[i].retval, t->retvals[i].retval_unpriv);
			for (int b = 0; b < end; b++) printf("%02x", t->retvals[i].data[b]);
			printf("\"}");
		}
	}
	printf("],\"fixups\":{");
	fixup_out("map_hash_8b", t->fixup_map_hash_8b, &first);
	fixup_out("map_hash_48b", t->fixup_map_hash_48b, &first);
	fixup_out("map_hash_16b", t->fixup_map_hash_16b, &first);
	fixup_out("map_array_48b", t->fixup_map_array_48b, &first);
	fixup_out("map_sockmap", t->fixup_map_sockmap, &first);
	fixup_out("map_sockhash", t->fixup_map_sockhash, &first);
	fixup_out("map_xskmap", t->fixup_map_xskmap, &first);
	fixup_out("map_stacktrace", t->fixup_map_stacktrace, &first);
	fixup_out("prog1", t->fixup_prog1, &first);
	fixup_out("prog2", t->fixup_prog2, &first);
	fixup_out("map_in_map", t->fixup_map_in_map, &first);
	fixup_out("cgroup_storage", t->fixup_cgroup_storage, &first);
	fixup_out("percpu_cgroup_storage", t->fixup_percpu_cgroup_storage, &first);
	fixup_out("map_spin_lock", t->fixup_map_spin_lock, &first);
	fixup_out("map_array_ro", t->fixup_map_array_ro, &first);
	fixup_out("map_array_wo", t->fixup_map_array_wo, &first);
	fixup_out("map_array_small", t->fixup_map_array_small, &first);
	fixup_out("sk_storage_map", t->fixup_sk_storage_map, &first);
	fixup_out("map_event_output", t->fixup_map_event_output, &first);
	fixup_out("map_reuseport_array", t->fixup_map_reuseport_array, &first);
	fixup_out("map_ringbuf", t->fixup_map_ringbuf, &first);
	fixup_out("map_timer", t->fixup_map_timer, &first);
	fixup_out("map_kptr", t->fixup_map_kptr, &first);
	putchar('}');
	if (t->fixup_kfunc_btf_id[0].kfunc) {
		printf(",\"kfuncFixups\":[");
		for (int i = 0; i < MAX_FIXUPS && t->fixup_kfunc_btf_id[i].kfunc; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_opt_str(t->fixup_kfunc_btf_id[i].kfunc);
			printf(",\"insn\":%d}", t->fixup_kfunc_btf_id[i].insn_idx);
		}
		putchar(']');
	}
	if (t->func_info_cnt) {
		printf(",\"funcInfo\":[");
		for (int i = 0; i < t->func_info_cnt && i < MAX_FUNC_INFOS; i++)
			printf("%s[%u,%u]", i ? "," : "", t->func_info[i].insn_off, t->func_info[i].type_id);
		putchar(']');
	}
	if (t->btf_types[0]) {
		int n = 0;
		while (n < MAX_BTF_TYPES && t->btf_types[n] != BTF_END_RAW) n++;
		printf(",\"btfTypes\":[");
		for (int i = 0; i < n; i++) printf("%s%u", i ? "," : "", t->btf_types[i]);
		printf("],\"btfStrings\":\"");
		for (int b = 0; b < MAX_BTF_STRINGS; b++) printf("%02x", (unsigned char)t->btf_strings[b]);
		putchar('"');
	}
	pattern_out("expectedInsns", t->expected_insns, MAX_EXPECTED_INSNS);
	pattern_out("unexpectedInsns", t->unexpected_insns, MAX_UNEXPECTED_INSNS);
	printf("}\n");
}

int main(void)
{
	for (size_t f = 0; f < ARRAY_SIZE(tv_files); f++)
		for (size_t i = 0; i < tv_files[f].count; i++)
			dump(tv_files[f].name, (int)i, &tv_files[f].tests[i]);
	return 0;
}
