// `disasm x.o` lists programs that cannot be linked (a listing needs no link): the section's own
// instructions, with the reason in the title, instead of refusing the whole object.
import { describe, expect, it } from 'vitest';
import { listingUnits } from '../../src/loader/listing.js';
import { open } from './helpers.js';

describe('listingUnits', () => {
  it('lists a program whose link fails unlinked, and links its siblings', () => {
    const spec = open('ld_subprog');
    const b = spec.programs.get('prog_b')!;
    // A map reference without a relocation: a raw fd, which is no map of ebpfvm's, so linkProgram
    // refuses it with the kernel verifier's words.
    b.func.insns.splice(0, 0, { code: 0x18, dst: 1, src: 1, off: 0, imm: 7 }, { code: 0, dst: 0, src: 0, off: 0, imm: 0 });
    const units = listingUnits(spec);
    const ub = units.find((u) => u.title.startsWith(`${b.section}/prog_b`))!;
    expect(ub.title).toMatch(/\(not linked: .*fd 7 is not pointing to valid bpf_map/);
    expect(ub.insns.length).toBe(b.func.insns.length);
    expect(ub.annotations.symbolAt(0)).toBe('prog_b');
    const ua = units.find((u) => u.title === `${spec.programs.get('prog_a')!.section}/prog_a`)!;
    expect(ua.insns.length).toBeGreaterThan(spec.programs.get('prog_a')!.func.insns.length - 1);
  });
});
