// SPDX-License-Identifier: MIT
/*
 * timer-fire: what the host kernel's bpf_timer callbacks leave behind, for ebpfvm's own timer
 * test program (test/progs/run_timer_fire.c). Built and run by scripts/record-timer-fire.mjs
 * against the libbpf of the linux-source-6.12 tree, never committed as a binary.
 *
 *   timer-fire OBJ WAIT_MS PROG...
 *
 * Loads the PROGs of OBJ, test-runs each PROG once in order (syscall programs, no context,
 * pinned to CPU 0), sleeps WAIT_MS milliseconds while the kernel's hrtimers fire, then prints one
 * JSON object: each PROG's retval, every global of the object's .bss and .data (integers, by
 * name, as signed 64-bit decimals), the u64 at offset 0 of every element of the map "arr"
 * (the elements' fired counts), and of the elements left in the maps "hash" and "lru" by key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static long long read_int(const unsigned char *p, unsigned size, int is_signed)
{
	unsigned long long v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (unsigned long long)p[i] << (8 * i);
	if (is_signed && size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~0ULL << (8 * size);
	return (long long)v;
}

static void dump_section(struct bpf_object *obj, const char *suffix, int *first)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t n = strlen(name), m = strlen(suffix);
		if (n < m || strcmp(name + n - m, suffix))
			continue;
		unsigned char *buf = calloc(1, bpf_map__value_size(map));
		int key = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(map), &key, buf)) {
			free(buf);
			continue;
		}
		int id = btf__find_by_name_kind(btf, suffix, BTF_KIND_DATASEC);
		const struct btf_type *ds = id > 0 ? btf__type_by_id(btf, id) : NULL;
		const struct btf_var_secinfo *vs = ds ? btf_var_secinfos(ds) : NULL;
		for (int i = 0; ds && i < btf_vlen(ds); i++) {
			const struct btf_type *var = btf__type_by_id(btf, vs[i].type);
			const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			int is_signed = btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
			if (!btf_is_int(t) || vs[i].size > 8)
				continue;
			printf("%s\"%s\":%lld", *first ? "" : ",", btf__name_by_offset(btf, var->name_off), read_int(buf + vs[i].offset, vs[i].size, is_signed));
			*first = 0;
		}
		free(buf);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: timer-fire OBJ WAIT_MS PROG...\n");
		return 2;
	}
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	struct bpf_program *prog;
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* only the programs named are loaded (the object also holds ones the verifier refuses) */
	bpf_object__for_each_program(prog, obj) {
		bool named = false;
		for (int i = 3; i < argc; i++)
			named |= !strcmp(bpf_program__name(prog), argv[i]);
		bpf_program__set_autoload(prog, named);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("{\"retvals\":{");
	for (int i = 3; i < argc; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, argv[i]);
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		if (!p || bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
			fprintf(stderr, "cannot run %s\n", argv[i]);
			return 1;
		}
		printf("%s\"%s\":%d", i > 3 ? "," : "", argv[i], (int)opts.retval);
	}
	fflush(stdout);
	usleep(atoi(argv[2]) * 1000);
	printf("},\"globals\":{");
	int first = 1;
	dump_section(obj, ".bss", &first);
	dump_section(obj, ".data", &first);
	printf("},\"arr\":[");
	struct bpf_map *arr = bpf_object__find_map_by_name(obj, "arr");
	for (unsigned k = 0; arr && k < bpf_map__max_entries(arr); k++) {
		unsigned char v[256] = {};
		printf("%s%lld", k ? "," : "", bpf_map_lookup_elem(bpf_map__fd(arr), &k, v) ? -1LL : read_int(v, 8, 0));
	}
	printf("]");
	/* the hash maps' elements that are left: key and fired count */
	const char *hmaps[] = { "hash", "lru" };
	for (int h = 0; h < 2; h++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, hmaps[h]);
		int key, next, *prev = NULL, n = 0;
		printf(",\"%s\":{", hmaps[h]);
		while (m && !bpf_map_get_next_key(bpf_map__fd(m), prev, &next)) {
			unsigned char v[256] = {};
			key = next;
			prev = &key;
			if (!bpf_map_lookup_elem(bpf_map__fd(m), &key, v))
				printf("%s\"%d\":%lld", n++ ? "," : "", key, read_int(v, 8, 0));
		}
		printf("}");
	}
	printf("}\n");
	bpf_object__close(obj);
	return 0;
}
