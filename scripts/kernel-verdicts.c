// The host kernel's verifier verdict for every program of an object, each loaded alone at log
// level 1 through the system libbpf (scripts/record-verifier-corpus.mjs builds and runs it).
// Prints one JSON line per program: object, prog, loaded, errno, log.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/libbpf.h>
static char buf[1<<24];
static int quiet(enum libbpf_print_level l, const char *f, va_list a){return 0;}
static void jsonstr(const char *s){ putchar('"'); for(;*s;s++){ if(*s=='"'||*s=='\\') {putchar('\\');putchar(*s);} else if(*s=='\n') fputs("\\n",stdout); else if((unsigned char)*s<32) printf("\\u%04x",*s); else putchar(*s);} putchar('"'); }
int main(int argc,char**argv){
  libbpf_set_print(quiet);
  struct bpf_object *o = bpf_object__open(argv[1]);
  if(!o){printf("{\"object\":\"%s\",\"openError\":%d}\n", argv[1], errno);return 0;}
  char names[256][128]; int n=0; struct bpf_program *p;
  bpf_object__for_each_program(p,o) if(n<256) strncpy(names[n++], bpf_program__name(p), 127);
  bpf_object__close(o);
  for(int i=0;i<n;i++){
    o = bpf_object__open(argv[1]);
    bpf_object__for_each_program(p,o){
      if(strcmp(bpf_program__name(p),names[i])) bpf_program__set_autoload(p,false);
      else { bpf_program__set_log_level(p,1); bpf_program__set_log_buf(p,buf,sizeof buf); }
    }
    buf[0]=0;
    int err = bpf_object__load(o);
    printf("{\"object\":\"%s\",\"prog\":\"%s\",\"loaded\":%s,\"errno\":%d,\"log\":", argv[1], names[i], err?"false":"true", err<0?-err:err);
    jsonstr(buf); printf("}\n");
    bpf_object__close(o);
  }
  return 0;
}
