// The measuring half of bench/playground.ts, run as its own process (playwright is asynchronous,
// the bench registry is not): build the playground once into a temp dir, record every output
// file's size (raw and gzip -9, what a server sends compressed), serve the build with vite preview
// on 127.0.0.1, and load `#example=scheduler&view=run&run=1` in Debian's Chromium SAMPLES times, each in a
// fresh browser context (empty cache). The page marks `ebpfvm:ready` (example opened, first view
// drawn) and `ebpfvm:first-run` (the scheduler's first result drawn, after loading, verifying and
// running it) on its own clock, whose origin is the navigation start; those marks are the figures.
// Prints one JSON object on stdout.
//   node dist/bench/playground-probe.js [SAMPLES]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoPath } from './paths.js';

export interface ProbeResult {
  files: { file: string; bytes: number; gzip: number }[];
  samples: { ready: number; firstRun: number; runOnly: number; engine: string; retval: string }[];
  chromium: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

async function main(samples: number, chromiumPath: string): Promise<ProbeResult> {
  const vite = await import('vite');
  const { chromium } = await import('playwright-core');
  const outDir = mkdtempSync(join(tmpdir(), 'ebpfvm-playground-bench-'));
  const common = { root: repoPath('playground'), configFile: repoPath('playground/vite.config.ts'), logLevel: 'silent' as const };
  try {
    await vite.build({ ...common, build: { outDir, emptyOutDir: true } });
    const files = walk(outDir).map((f) => {
      const b = readFileSync(f);
      return { file: relative(outDir, f), bytes: b.length, gzip: gzipSync(b, { level: 9 }).length };
    });
    const server = await vite.preview({ ...common, build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false } });
    const url = server.resolvedUrls!.local[0]!;
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    const out: ProbeResult = { files, samples: [], chromium: browser.version() };
    try {
      for (let i = 0; i < samples; i++) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await ctx.newPage();
        await page.goto(url + '#example=scheduler&view=run&run=1');
        await page.waitForSelector('#retval', { timeout: 60_000 });
        const m = await page.evaluate(() => {
          const t = (n: string) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
          return { ready: t('ebpfvm:ready'), firstRun: t('ebpfvm:first-run'), runOnly: t('ebpfvm:first-run') - t('ebpfvm:run-start') };
        });
        out.samples.push({ ...m, engine: (await page.textContent('#engine')) ?? '', retval: (await page.textContent('#retval')) ?? '' });
        await ctx.close();
      }
    } finally {
      await browser.close();
      await new Promise<void>((r) => server.httpServer.close(() => r()));
    }
    return out;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  main(Number(process.argv[2] ?? 5), process.env.EBPFVM_CHROMIUM ?? '/usr/bin/chromium').then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e) => {
      process.stderr.write(`playground probe: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
