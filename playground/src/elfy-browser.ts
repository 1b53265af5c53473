// elfy in the page: src/elf/file.ts cross-checks its own ELF reader against elfy only where a Node
// Buffer exists (elfy needs one, and Node's util and assert), so a page never calls it; the build
// aliases 'elfy' here (vite.config.ts) instead of bundling it with shims for those modules.
export default {
  parse(): never {
    throw new Error('elfy is not available in the browser (src/elf/file.ts calls it only under Node)');
  },
};
