// SPDX-License-Identifier: MIT
/*
 * iter-harness: reads a BPF iterator on the host kernel the way `cat` reads a pinned iterator, for
 * ebpfvm's iterator test program (test/progs/helpers/h_iter.c). Built and run by
 * scripts/record-iter.mjs against the libbpf of the linux-source-6.12 tree; never committed as
 * a binary.
 *
 *   iter-harness OBJ PROG READSIZE [MAP]
 *
 * Loads PROG of OBJ alone, attaches it as an iterator (over map MAP of the object, filled with
 * nothing, when given), creates the iterator file (BPF_ITER_CREATE) and read()s it READSIZE bytes
 * at a time until a read returns 0 or fails. Prints one JSON object: loaded (and the load's errno
 * and the verifier log's last line when it failed), each read's return, the error the reads ended
 * with (0 for end of file) and the bytes read, as hex.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness-io.h"

static char log_buf[1 << 20];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	struct bpf_link *link;
	size_t size, total = 0, cap = 1 << 16;
	unsigned char *out = malloc(cap), *buf;
	int fd, err = 0, first = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: %s OBJ PROG READSIZE [MAP]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	size = strtoul(argv[3], NULL, 0);
	buf = malloc(size);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog) {
		fprintf(stderr, "no program %s\n", argv[2]);
		return 1;
	}
	bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, p == prog);
	bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
	bpf_program__set_log_level(prog, 1);
	err = bpf_object__load(obj);
	printf("{\"prog\":");
	json_str(argv[2]);
	if (err) {
		char *last = log_buf, *nl;
		/* the line before the closing 'processed N insns' line, if any */
		for (char *s = log_buf; (nl = strchr(s, '\n')) && nl[1]; s = nl + 1)
			if (strncmp(nl + 1, "processed ", 10))
				last = nl + 1;
		if ((nl = strchr(last, '\n')))
			*nl = 0;
		printf(",\"loaded\":false,\"errno\":");
		json_str(errname(-err));
		printf(",\"log\":");
		json_str(last);
		printf("}\n");
		return 0;
	}
	if (argc > 4) {
		union bpf_iter_link_info info = {};
		DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
		struct bpf_map *map = bpf_object__find_map_by_name(obj, argv[4]);

		if (!map) {
			fprintf(stderr, "no map %s\n", argv[4]);
			return 1;
		}
		info.map.map_fd = bpf_map__fd(map);
		opts.link_info = &info;
		opts.link_info_len = sizeof(info);
		link = bpf_program__attach_iter(prog, &opts);
	} else
		link = bpf_program__attach_iter(prog, NULL);
	if (!link) {
		printf(",\"loaded\":true,\"attach\":");
		json_str(errname(errno));
		printf("}\n");
		return 0;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		fprintf(stderr, "bpf_iter_create: %s\n", strerror(errno));
		return 1;
	}
	printf(",\"loaded\":true,\"reads\":[");
	for (;;) {
		ssize_t n = read(fd, buf, size);

		printf("%s%zd", first ? "" : ",", n < 0 ? -errno : n);
		first = 0;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		while (total + n > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + total, buf, n);
		total += n;
	}
	printf("],\"error\":");
	json_str(err ? errname(err) : "");
	printf(",\"output\":");
	hex_out(out, total);
	printf("}\n");
	close(fd);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
