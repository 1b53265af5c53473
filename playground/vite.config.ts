// The playground's build (issue 18): a static single page on the library's browser entry
// (src/browser.ts). `npm run playground:build` writes playground/dist/; `npm run playground` serves
// it with `vite preview`. Bundled example objects and packets are inlined into the bundle as
// base64 (`import b64 from 'x.o?bytes'`), so the page needs no request after it loaded and works
// offline.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

function bytesAsBase64(): Plugin {
  return {
    name: 'ebpfvm-bytes',
    enforce: 'pre',
    load(id) {
      const q = id.indexOf('?bytes');
      if (q < 0) return null;
      const file = id.slice(0, q);
      this.addWatchFile(file);
      return `export default ${JSON.stringify(readFileSync(file).toString('base64'))};`;
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [bytesAsBase64()],
  resolve: { alias: { elfy: join(here, 'src/elfy-browser.ts') } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: true },
  server: { fs: { allow: [join(here, '..')] } },
  preview: { port: 4173 },
});
