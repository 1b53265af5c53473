// SPDX-License-Identifier: MIT
/*
 * seq-harness.c: test-run several programs of one object in order on the host kernel, with the
 * object loaded once, so state the programs leave in maps (a stashed kptr, a work item) carries
 * from one step to the next, as a user-space test drives a skeleton. Used by
 * scripts/record-seq.mjs.
 *
 *   seq-harness OBJ STEP...      STEP is PROG:DATA_HEX:CTX_HEX ('-' for none), or @sleep:MS:-
 *                                (let kernel workers run: prints {"prog":"@sleep"})
 *
 * Prints one JSON line per step: {"prog":..,"retval":..,"data_out":"hex"|null} or {"prog":..,
 * "errno":"E..."} when the kernel refuses the run; a load failure prints {"load_errno":..}.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include "harness-io.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: seq-harness OBJ PROG:DATA_HEX:CTX_HEX...\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("{\"load_errno\":\"%s\"}\n", errname(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("{\"load_errno\":\"%s\"}\n", errname(-err));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		char *step = strdup(argv[i]);
		char *name = strtok(step, ":");
		char *data_hex = strtok(NULL, ":");
		char *ctx_hex = strtok(NULL, ":");
		struct bpf_program *prog;

		if (name && !strcmp(name, "@sleep") && data_hex) {
			usleep(atoi(data_hex) * 1000);
			puts("{\"prog\":\"@sleep\"}");
			fflush(stdout);
			free(step);
			continue;
		}
		prog = name ? bpf_object__find_program_by_name(obj, name) : NULL;
		size_t data_len = 0, ctx_len = 0;
		unsigned char *data, *ctx, *out = NULL;

		if (!prog || !data_hex || !ctx_hex) {
			fprintf(stderr, "bad step '%s'\n", argv[i]);
			return 2;
		}
		data = unhex(data_hex, &data_len);
		ctx = unhex(ctx_hex, &ctx_len);
		if (data_len)
			out = calloc(data_len + 256, 1);
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = data, .data_size_in = data_len,
			.data_out = out, .data_size_out = data_len ? data_len + 256 : 0,
			.ctx_in = ctx, .ctx_size_in = ctx_len);
		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
		printf("{\"prog\":");
		json_str(name);
		if (err) {
			printf(",\"errno\":\"%s\"}\n", errname(errno));
		} else {
			printf(",\"retval\":%u,\"data_out\":", opts.retval);
			if (data_len)
				hex_out(out, opts.data_size_out);
			else
				fputs("null", stdout);
			puts("}");
		}
		fflush(stdout);
		free(step);
		free(data);
		free(ctx);
		free(out);
	}
	bpf_object__close(obj);
	return 0;
}
