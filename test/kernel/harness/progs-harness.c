// SPDX-License-Identifier: MIT
/*
 * progs-harness: the host kernel's side of scripts/kernel-progs.mjs. Loads ONE program of a BPF
 * object (only it autoloaded, every map of the object created, as libbpf does) and test-runs it
 * with BPF_PROG_TEST_RUN on the inputs given, printing one JSON line per input. Built by
 * scripts/kernel-progs.mjs against the libbpf of the linux-source-6.12 tree; never committed as a
 * binary.
 *
 *   progs-harness OBJ --list
 *       {"programs":[{"name","section","type","attach"}...]}
 *   progs-harness OBJ PROG KIND [NAME DATAHEX CTXHEX]...
 *       KIND: skb | xdp | flow | nf | syscall | raw_tp | sk_lookup; '-' for no data / no ctx.
 *       Every input gets a fresh load (global data and maps start from the object's image), so
 *       the runs are independent of each other. Lines:
 *       {"input":N,"retval":R,"data_out":HEX|null,"ctx_out":HEX|null,"helpers":[ids],"kfuncs":[names]}
 *       {"input":N,"errno":"EINVAL"}                       the test run was refused
 *       {"load_errno":"EACCES","load_error":"last verifier line"}   (once; nothing runs)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "harness-io.h"

#define LOG_SIZE (1 << 22)
#define OUT_EXTRA 65536

static char *log_buf;


static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char last[512];
	char line[512];

	if (getenv("HARNESS_VERBOSE")) return vfprintf(stderr, fmt, ap);
	/* keep the last warning: when the load fails before the verifier runs it is the reason */
	if (level == LIBBPF_WARN) {
		vsnprintf(line, sizeof(line), fmt, ap);
		if (strstr(line, "failed") || strstr(line, "error") || strstr(line, "unsupported") || strstr(line, "not found")) {
			memcpy(last, line, sizeof(last));
			setenv("HARNESS_LAST_WARN", last, 1);
		}
	}
	return 0;
}

/* The verifier's complaint: the log line before "processed N insns", or libbpf's last warning. */
static void load_error_line(char *out, size_t n)
{
	char *p = log_buf, *prev = NULL, *cur = NULL;
	const char *warn = getenv("HARNESS_LAST_WARN");

	out[0] = 0;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		if (!strncmp(p, "processed ", 10) || strstr(p, "processed ") == p) break;
		prev = cur; cur = p;
		p = nl ? nl + 1 : NULL;
	}
	(void)prev;
	if (cur) {
		size_t len = strcspn(cur, "\n");
		snprintf(out, n, "%.*s", (int)(len < n - 1 ? len : n - 1), cur);
	} else if (warn) {
		snprintf(out, n, "%s", warn);
		out[strcspn(out, "\n")] = 0;
	}
}

static void print_helpers(struct bpf_program *prog)
{
	const struct bpf_insn *insn = bpf_program__insns(prog);
	size_t cnt = bpf_program__insn_cnt(prog);
	bool first = true, seen[512] = {};

	printf(",\"helpers\":[");
	for (size_t i = 0; i < cnt; i++) {
		if (insn[i].code != (BPF_JMP | BPF_CALL) || insn[i].src_reg != 0) continue;
		if (insn[i].imm <= 0 || insn[i].imm >= 512 || seen[insn[i].imm]) continue;
		seen[insn[i].imm] = true;
		printf("%s%d", first ? "" : ",", insn[i].imm);
		first = false;
	}
	printf("],\"kfuncs\":[");
	first = true;
	for (size_t i = 0; i < cnt; i++) {
		static struct btf *vmlinux;
		const struct btf_type *t;

		if (insn[i].code != (BPF_JMP | BPF_CALL) || insn[i].src_reg != BPF_PSEUDO_KFUNC_CALL || insn[i].off) continue;
		if (!vmlinux) vmlinux = btf__load_vmlinux_btf();
		t = vmlinux ? btf__type_by_id(vmlinux, insn[i].imm) : NULL;
		if (!t) continue;
		printf("%s", first ? "" : ",");
		json_str(btf__name_by_offset(vmlinux, t->name_off));
		first = false;
	}
	printf("]");
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	const char *kind;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ --list | OBJ PROG KIND [NAME DATAHEX CTXHEX]...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet_print);
	if (!strcmp(argv[2], "--list")) {
		bool first = true;

		obj = bpf_object__open_file(argv[1], NULL);
		if (!obj) { printf("{\"error\":"); json_str(strerror(errno)); printf("}\n"); return 0; }
		printf("{\"programs\":[");
		bpf_object__for_each_program(prog, obj) {
			printf("%s{\"name\":", first ? "" : ",");
			json_str(bpf_program__name(prog));
			printf(",\"section\":");
			json_str(bpf_program__section_name(prog));
			printf(",\"type\":");
			json_str(libbpf_bpf_prog_type_str(bpf_program__type(prog)) ?: "unknown");
			printf(",\"attach\":");
			json_str(libbpf_bpf_attach_type_str(bpf_program__expected_attach_type(prog)) ?: "unknown");
			printf("}");
			first = false;
		}
		printf("]}\n");
		bpf_object__close(obj);
		return 0;
	}
	if (argc < 4 || (argc - 4) % 3) { fprintf(stderr, "bad arguments\n"); return 2; }
	kind = argv[3];
	log_buf = malloc(LOG_SIZE);
	for (int i = 4, n = 0; i < argc; i += 3, n++) {
		struct bpf_program *target = NULL;
		size_t data_len, ctx_len;
		unsigned char *data = unhex(argv[i + 1], &data_len), *ctx = unhex(argv[i + 2], &ctx_len);
		unsigned char *data_out = NULL, *ctx_out = NULL;
		bool syscall = !strcmp(kind, "syscall"), raw_tp = !strcmp(kind, "raw_tp");
		/* bpf_prog_test_run_nf never writes ctx_out: no buffer, or its untouched zeros would be
		 * reported as the kernel's. */
		bool nf = !strcmp(kind, "nf");
		int err, fd;

		obj = bpf_object__open_file(argv[1], NULL);
		if (!obj) { printf("{\"load_errno\":\"%s\",\"load_error\":\"open failed\"}\n", errname(errno)); return 0; }
		bpf_object__for_each_program(prog, obj) {
			bool me = !strcmp(bpf_program__name(prog), argv[2]);
			if (me) target = prog;
			bpf_program__set_autoload(prog, me);
		}
		if (!target) { printf("{\"load_errno\":\"ENOENT\",\"load_error\":\"no such program\"}\n"); return 0; }
		/* no LIBBPF_PIN_BY_NAME pins in /sys/fs/bpf: every load gets fresh maps, nothing is left behind */
		{
			struct bpf_map *map;

			bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
		}
		log_buf[0] = 0;
		unsetenv("HARNESS_LAST_WARN");
		bpf_program__set_log_buf(target, log_buf, LOG_SIZE);
		err = bpf_object__load(obj);
		if (err) {
			char line[400];

			load_error_line(line, sizeof(line));
			printf("{\"load_errno\":\"%s\",\"load_error\":", errname(-err));
			json_str(line);
			printf("}\n");
			bpf_object__close(obj);
			return 0;
		}
		fd = bpf_program__fd(target);
		{
			LIBBPF_OPTS(bpf_test_run_opts, topts);
			size_t out_size = data ? data_len + OUT_EXTRA : 0;
			size_t ctx_out_size = (ctx && !syscall && !raw_tp && !nf) ? ctx_len + 256 : 0;

			if (data) {
				data_out = calloc(out_size, 1);
				topts.data_in = data; topts.data_size_in = data_len;
				topts.data_out = data_out; topts.data_size_out = out_size;
			}
			if (ctx) {
				topts.ctx_in = ctx; topts.ctx_size_in = ctx_len;
				if (ctx_out_size) { ctx_out = calloc(ctx_out_size, 1); topts.ctx_out = ctx_out; topts.ctx_size_out = ctx_out_size; }
			}
			topts.repeat = (syscall || raw_tp) ? 0 : 1;
			err = bpf_prog_test_run_opts(fd, &topts);
			printf("{\"input\":%d", n);
			if (err) {
				printf(",\"errno\":\"%s\"", errname(errno));
			} else {
				printf(",\"retval\":%u,\"data_out\":", topts.retval);
				if (data) hex_out(data_out, topts.data_size_out); else printf("null");
				printf(",\"ctx_out\":");
				if (syscall && ctx) hex_out(ctx, ctx_len);
				else if (ctx_out) hex_out(ctx_out, topts.ctx_size_out);
				else printf("null");
			}
			print_helpers(target);
			printf("}\n");
			fflush(stdout);
		}
		free(data); free(ctx); free(data_out); free(ctx_out);
		bpf_object__close(obj);
	}
	return 0;
}
