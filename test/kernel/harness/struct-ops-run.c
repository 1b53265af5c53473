// SPDX-License-Identifier: MIT
/*
 * struct-ops-run: BPF_PROG_TEST_RUN of bpf_dummy_ops struct_ops programs on the host kernel
 * (net/bpf/bpf_dummy_struct_ops.c), for scripts/record-struct-ops.mjs. Built against the libbpf
 * of the linux-source-6.12 tree (the system's libbpf 1.1 cannot open these objects); never
 * committed as a binary.
 *
 *   struct-ops-run OBJ PROG STATE ARG...
 *
 * Loads OBJ, test-runs PROG once with ctx_in = the ARGs as u64 values, where the first is
 * replaced by the address of a struct bpf_dummy_ops_state holding STATE (hex; "-" for a NULL
 * first argument). Prints one JSON object: retval (or the errno), the state after the run, and
 * the object's .bss after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness-io.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long args[12] = {};
	unsigned char state[64] = {};
	size_t state_len = 0;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *bss;
	int nargs = argc - 4, err;

	if (argc < 4 || nargs > 12) {
		fprintf(stderr, "usage: %s OBJ PROG STATE ARG...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		printf("{\"loaded\":false,\"errno\":");
		json_str(errname(errno));
		printf("}\n");
		return 0;
	}
	prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog) {
		fprintf(stderr, "no program %s\n", argv[2]);
		return 1;
	}
	for (int i = 0; i < nargs; i++)
		args[i] = strtoull(argv[4 + i], NULL, 0);
	if (strcmp(argv[3], "-")) {
		unsigned char *s = unhex(argv[3], &state_len);
		memcpy(state, s, state_len < sizeof(state) ? state_len : sizeof(state));
		args[0] = (unsigned long long)(unsigned long)state;
	} else if (nargs > 0)
		args[0] = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = args, .ctx_size_in = sizeof(args[0]) * nargs);
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
	printf("{\"loaded\":true,");
	if (err) {
		printf("\"errno\":");
		json_str(errname(errno));
	} else
		printf("\"retval\":%u", topts.retval);
	printf(",\"state\":");
	hex_out(state, 4);
	bss = bpf_object__find_map_by_name(obj, ".bss");
	if (bss) {
		size_t n = bpf_map__value_size(bss);
		unsigned char *v = calloc(1, n);
		int zero = 0;

		if (!bpf_map_lookup_elem(bpf_map__fd(bss), &zero, v)) {
			printf(",\"bss\":");
			hex_out(v, n);
		}
	}
	printf("}\n");
	return 0;
}
