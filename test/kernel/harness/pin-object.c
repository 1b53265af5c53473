// SPDX-License-Identifier: MIT
/*
 * pin-object: opens and loads a BPF object with the libbpf of the linux-source-6.12 tree (the
 * system bpftool's libbpf 1.1 predates `.bss.NAME` sections, which the kernel's graph selftests
 * use) and pins its programs under DIR/<prog> and its maps under DIR/maps/<map>, so
 * scripts/kernel-graph.mjs can run them with BPF_PROG_TEST_RUN and dump the maps with bpftool.
 * Built by scripts/kernel-graph.mjs into the cache; never committed as a binary.
 *
 *   pin-object OBJ DIR     exit 0 when loaded and pinned; libbpf's messages on stderr otherwise
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJ DIR\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load of %s failed\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[2], bpf_program__name(prog));
		if (bpf_program__pin(prog, path)) {
			fprintf(stderr, "cannot pin %s\n", path);
			return 1;
		}
	}
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		char clean[256];
		size_t i;

		for (i = 0; name[i] && i < sizeof(clean) - 1; i++)
			clean[i] = name[i] == '.' ? '_' : name[i];
		clean[i] = 0;
		snprintf(path, sizeof(path), "%s/maps/%s", argv[2], clean);
		if (bpf_map__pin(map, path)) {
			fprintf(stderr, "cannot pin %s\n", path);
			return 1;
		}
	}
	return 0;
}
