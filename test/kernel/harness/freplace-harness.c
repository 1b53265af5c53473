// SPDX-License-Identifier: MIT
/*
 * freplace-harness: the host kernel's side of scripts/record-freplace.mjs. Loads program TPROG of
 * a target object (only it autoloaded), then program EPROG of an extension object with
 * bpf_program__set_attach_target(EPROG, target fd, FUNC) as the kernel selftests do, tries a test
 * run of the extension itself, attaches it (bpf_link_create, BPF_TRACE_FREPLACE) and test-runs
 * the target on each input, printing one JSON line per step. Built by scripts/record-freplace.mjs
 * against the libbpf of the linux-source-6.12 tree; never committed as a binary.
 *
 *   freplace-harness TOBJ TPROG EOBJ EPROG FUNC [NAME DATAHEX]...
 *       DATAHEX: data_in as hex, or '-' for none. Lines:
 *       {"target_load_errno":E,"log":L}                 the target did not load (nothing else runs)
 *       {"ext_load_errno":E,"log":L}                    the extension was refused (its verifier log)
 *       {"ext_load":"ok","ext_test_run_errno":E|null}   loaded; its own test run refused with E
 *       {"attach_errno":E} / {"attach":"ok"}
 *       {"input":NAME,"retval":R,"data_out":HEX|null,"ext_data":{SEC:HEX},"target_data":{SEC:HEX}}
 *       {"input":NAME,"errno":E}                        the target's test run was refused
 *       The inputs run one after another on the same loaded programs (global data carries over).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness-io.h"

#define LOG_SIZE (1 << 22)

static char warn_last[1024];

static int keep_warning(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("HARNESS_VERBOSE")) return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) vsnprintf(warn_last, sizeof(warn_last), fmt, ap);
	return 0;
}

/* Only `name` autoloaded, as libbpf loads one selected program. */
static struct bpf_program *select_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p, *found = NULL;

	bpf_object__for_each_program(p, obj) {
		bool it = !strcmp(bpf_program__name(p), name);
		bpf_program__set_autoload(p, it);
		if (it) found = p;
	}
	return found;
}

/* The value at key 0 of each internal map (.bss, .data) of obj, as {"SECTION":"hex"}. */
static void dump_data(struct bpf_object *obj)
{
	struct bpf_map *m;
	bool first = true;

	putchar('{');
	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		const char *dot = strchr(name, '.');
		unsigned int zero = 0;
		unsigned char *v;

		if (!bpf_map__is_internal(m) || !dot || (strcmp(dot, ".bss") && strcmp(dot, ".data"))) continue;
		v = calloc(1, bpf_map__value_size(m));
		if (bpf_map_lookup_elem(bpf_map__fd(m), &zero, v)) { free(v); continue; }
		printf("%s", first ? "" : ",");
		json_str(dot);
		putchar(':');
		hex_out(v, bpf_map__value_size(m));
		free(v);
		first = false;
	}
	putchar('}');
}

int main(int argc, char **argv)
{
	struct bpf_object *tobj, *eobj;
	struct bpf_program *tprog, *eprog;
	struct bpf_link *link;
	char *log_buf;
	int tfd, efd, err;

	if (argc < 6 || (argc - 6) % 2) {
		fprintf(stderr, "usage: %s TOBJ TPROG EOBJ EPROG FUNC [NAME DATAHEX]...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(keep_warning);
	log_buf = calloc(1, LOG_SIZE);

	tobj = bpf_object__open_file(argv[1], NULL);
	if (!tobj) { printf("{\"target_load_errno\":\"%s\",\"log\":\"open\"}\n", errname(errno)); return 0; }
	tprog = select_prog(tobj, argv[2]);
	if (!tprog) { printf("{\"target_load_errno\":\"ENOENT\",\"log\":\"no such program\"}\n"); return 0; }
	err = bpf_object__load(tobj);
	if (err) { printf("{\"target_load_errno\":\"%s\",\"log\":", errname(-err)); json_str(warn_last); printf("}\n"); return 0; }
	tfd = bpf_program__fd(tprog);

	eobj = bpf_object__open_file(argv[3], NULL);
	if (!eobj) { printf("{\"ext_load_errno\":\"%s\",\"log\":\"open\"}\n", errname(errno)); return 0; }
	eprog = select_prog(eobj, argv[4]);
	if (!eprog) { printf("{\"ext_load_errno\":\"ENOENT\",\"log\":\"no such program\"}\n"); return 0; }
	bpf_program__set_log_buf(eprog, log_buf, LOG_SIZE);
	bpf_program__set_log_level(eprog, 1);
	err = bpf_program__set_attach_target(eprog, tfd, argv[5]);
	if (err) { printf("{\"ext_load_errno\":\"%s\",\"log\":", errname(-err)); json_str(warn_last); printf("}\n"); return 0; }
	err = bpf_object__load(eobj);
	if (err) {
		printf("{\"ext_load_errno\":\"%s\",\"log\":", errname(-err));
		json_str(log_buf[0] ? log_buf : warn_last);
		printf("}\n");
		return 0;
	}
	efd = bpf_program__fd(eprog);
	{
		unsigned char pkt[64] = {};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);

		err = bpf_prog_test_run_opts(efd, &o);
		printf("{\"ext_load\":\"ok\",\"ext_test_run_errno\":");
		if (err) printf("\"%s\"", errname(errno)); else printf("null");
		printf("}\n");
	}
	link = bpf_program__attach_freplace(eprog, tfd, argv[5]);
	if (!link) { printf("{\"attach_errno\":\"%s\"}\n", errname(errno)); return 0; }
	printf("{\"attach\":\"ok\"}\n");
	fflush(stdout);

	for (int i = 6; i < argc; i += 2) {
		size_t n;
		unsigned char *data = unhex(argv[i + 1], &n);
		unsigned char *out = n ? calloc(1, n + 4096) : NULL;
		LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1);

		if (n) {
			o.data_in = data;
			o.data_size_in = n;
			o.data_out = out;
			o.data_size_out = n + 4096;
		}
		err = bpf_prog_test_run_opts(tfd, &o);
		printf("{\"input\":");
		json_str(argv[i]);
		if (err) { printf(",\"errno\":\"%s\"}\n", errname(errno)); continue; }
		printf(",\"retval\":%u,\"data_out\":", o.retval);
		if (n) hex_out(out, o.data_size_out); else printf("null");
		printf(",\"ext_data\":");
		dump_data(eobj);
		printf(",\"target_data\":");
		dump_data(tobj);
		printf("}\n");
		fflush(stdout);
		free(data);
		free(out);
	}
	bpf_link__destroy(link);
	bpf_object__close(eobj);
	bpf_object__close(tobj);
	return 0;
}
