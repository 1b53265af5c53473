// elfy ships no types; this is the subset of its result we read.
declare module 'elfy' {
  export interface ElfySection {
    name: string;
    type: string;
    flags: Record<string, boolean> | number;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
    data: Uint8Array;
  }
  export interface ElfyResult {
    class: string;
    endian: string;
    version: number;
    osabi: string;
    abiversion: number;
    type: string;
    machine: string | undefined;
    entry: number;
    phoff: number;
    shoff: number;
    flags: number;
    ehsize: number;
    phentsize: number;
    phnum: number;
    shentsize: number;
    shnum: number;
    shstrndx: number;
    body: { programs: unknown[]; sections: ElfySection[] };
  }
  export function parse(buf: Uint8Array): ElfyResult;
  const elfy: { parse: typeof parse };
  export default elfy;
}
