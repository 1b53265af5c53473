// Reference dump: open a BPF object with libbpf (no load) and print what libbpf sees -- programs,
// maps and BTF types -- as JSON, so test/libbpf compares ebpfvm's loader against libbpf itself.
// Build: gcc dump.c -lbpf -lelf -lz
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

static void json_str(const char *s) {
  putchar('"');
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: dump OBJ\n"); return 2; }
  libbpf_set_print(quiet);
  struct bpf_object *obj = bpf_object__open(argv[1]);
  long err = libbpf_get_error(obj);
  if (err) { printf("{\"error\": %ld}\n", err); return 1; }

  printf("{\"name\": "); json_str(bpf_object__name(obj));
  printf(", \"programs\": [");
  struct bpf_program *prog; int first = 1;
  bpf_object__for_each_program(prog, obj) {
    printf("%s\n  {\"name\": ", first ? "" : ","); first = 0;
    json_str(bpf_program__name(prog));
    printf(", \"section\": "); json_str(bpf_program__section_name(prog));
    printf(", \"type\": %d, \"attachType\": %d, \"insns\": %zu, \"autoload\": %s}", (int)bpf_program__type(prog),
           (int)bpf_program__expected_attach_type(prog), bpf_program__insn_cnt(prog), bpf_program__autoload(prog) ? "true" : "false");
  }
  printf("],\n\"maps\": [");
  struct bpf_map *map; first = 1;
  bpf_object__for_each_map(map, obj) {
    printf("%s\n  {\"name\": ", first ? "" : ","); first = 0;
    json_str(bpf_map__name(map));
    printf(", \"type\": %d, \"keySize\": %u, \"valueSize\": %u, \"maxEntries\": %u, \"flags\": %u, \"numaNode\": %u, \"mapExtra\": %llu}",
           (int)bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map), bpf_map__max_entries(map),
           bpf_map__map_flags(map), bpf_map__numa_node(map), (unsigned long long)bpf_map__map_extra(map));
  }
  printf("],\n\"btf\": [");
  struct btf *btf = bpf_object__btf(obj);
  if (btf) {
    __u32 n = btf__type_cnt(btf);
    for (__u32 id = 1; id < n; id++) {
      const struct btf_type *t = btf__type_by_id(btf, id);
      printf("%s\n  {\"id\": %u, \"kind\": %u, \"name\": ", id == 1 ? "" : ",", id, btf_kind(t));
      json_str(btf__name_by_offset(btf, t->name_off));
      printf(", \"vlen\": %u, \"kflag\": %d, \"sizeOrType\": %u", btf_vlen(t), btf_kflag(t), t->size);
      if (btf_is_composite(t)) {
        printf(", \"members\": [");
        const struct btf_member *m = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++, m++)
          printf("%s[%u, %u, %u]", i ? ", " : "", m->type, btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i));
        printf("]");
      } else if (btf_is_datasec(t)) {
        printf(", \"vars\": [");
        const struct btf_var_secinfo *v = btf_var_secinfos(t);
        for (int i = 0; i < btf_vlen(t); i++, v++) printf("%s[%u, %u, %u]", i ? ", " : "", v->type, v->offset, v->size);
        printf("]");
      } else if (btf_is_array(t)) {
        printf(", \"array\": [%u, %u, %u]", btf_array(t)->type, btf_array(t)->index_type, btf_array(t)->nelems);
      }
      long long sz = btf__resolve_size(btf, id);
      if (sz >= 0) printf(", \"resolvedSize\": %lld", sz);
      int al = btf__align_of(btf, id);
      if (al > 0) printf(", \"align\": %d", al);
      printf("}");
    }
  }
  printf("]}\n");
  bpf_object__close(obj);
  return 0;
}
