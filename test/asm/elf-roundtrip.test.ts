// Listings of real clang-built objects (test/progs/*.o, linked by the loader, with titles,
// function and map names and source lines) assemble back to the linked instructions.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatListing } from '../../src/cli/commands/disasm.js';
import { listingUnits } from '../../src/loader/listing.js';
import { openObject } from '../../src/loader/open.js';
import { assemble } from '../../vm/asm.js';
import { encodeInsns } from '../../vm/isa.js';

const progs = join(dirname(fileURLToPath(import.meta.url)), '../progs');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('asm(disasm(x.o)) == linked program', () => {
  const objects = readdirSync(progs).filter((f) => f.endsWith('.o'));
  it('has objects to check', () => expect(objects.length).toBeGreaterThan(10));
  for (const f of objects) {
    it(f, () => {
      let units;
      try {
        units = listingUnits(openObject(new Uint8Array(readFileSync(join(progs, f))), { name: f.replace(/\.o$/, '') }));
      } catch {
        return; // objects that are meant not to load (unsupported features) are the loader's tests
      }
      for (const u of units) {
        const text = formatListing([u], { dialect: 'llvm', source: true });
        expect(hex(encodeInsns(assemble(text))), `${f} ${u.title}`).toBe(hex(encodeInsns(u.insns)));
      }
    });
  }
});
