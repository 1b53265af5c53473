// The playground (issue 18) in a real browser: Debian's Chromium driven by playwright-core. The
// page is built once into a temp dir and served by vite preview in this process; each bundled
// example is loaded and run, and what the page shows is compared with what the library computes
// here in Node for the same input (the verdict line, retval, the tree's in-order keys, the failing
// instruction). A screenshot of every view goes to test-artifacts/playground/ (gitignored).
// Without Chromium (`apt-get install chromium`, as .ci/run does) the whole file is skipped, and
// says so.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RbtreeApi, Runtime, VerifierError, btfDecoder, errorReport, load, openObject, testRun } from '../../src/index.js';
import { verifyForRun } from '../../src/verify.js';
import { programVerdict, verdictLine } from '../../src/verdict.js';

const ROOT = join(import.meta.dirname, '../..');
// EBPFVM_CHROMIUM names another binary (or a missing one, to see the skip).
const CHROMIUM = (process.env.EBPFVM_CHROMIUM ? [process.env.EBPFVM_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser']).find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, 'test-artifacts/playground');
const resolvable = (m: string) => {
  try {
    createRequire(import.meta.url).resolve(m);
    return true;
  } catch {
    return false;
  }
};
const MISSING = !CHROMIUM
  ? `no Chromium at ${process.env.EBPFVM_CHROMIUM ?? '/usr/bin/chromium'} (apt-get install chromium, or set EBPFVM_CHROMIUM)`
  : !resolvable('playwright-core')
    ? 'playwright-core is not installed (npm ci)'
    : undefined;
if (MISSING) process.stdout.write(`\n*** test/playground: SKIPPED the browser tests: ${MISSING} ***\n\n`);

const bytesOf = (rel: string) => new Uint8Array(readFileSync(join(ROOT, rel)));

/** What the library says in Node for the scheduler example on its packet: the queue's in-order
 *  keys and node colours after each of the first `runs` runs on one loaded object (verified first,
 *  as the page does). Computed once. */
let schedulerStates: { keys: number[]; colors: string[] }[] | undefined;
function schedulerKeys(runs: number): { keys: number[]; colors: string[] } {
  if (!schedulerStates) {
    schedulerStates = [];
    const rt = new Runtime();
    const obj = load(rt, openObject(bytesOf('examples/scheduler.o'), { name: 'scheduler' }));
    verifyForRun(obj, 'schedule');
    const m = obj.map('queue');
    const api = new RbtreeApi(m, { decode: btfDecoder(obj.spec.btf!, m.spec.btfValueTypeId!) });
    for (let i = 0; i < 2; i++) {
      testRun(rt, obj.program('schedule').program, { data: bytesOf('examples/packets.bin') });
      const colors: string[] = [];
      const walk = (n: ReturnType<RbtreeApi['shape']>) => {
        if (!n) return;
        walk(n.left);
        colors.push(n.color);
        walk(n.right);
      };
      walk(api.shape());
      schedulerStates.push({ keys: api.values().map((v) => (v as { deadline_us: number }).deadline_us), colors });
    }
  }
  return schedulerStates[runs - 1]!;
}

describe.skipIf(MISSING !== undefined)('playground in Chromium', () => {
  // Typed loosely on purpose: playwright-core and vite are imported only when Chromium is there.
  let browser: import('playwright-core').Browser;
  let server: import('vite').PreviewServer;
  let url: string;
  let outDir: string;

  beforeAll(async () => {
    const vite = await import('vite');
    const { chromium } = await import('playwright-core');
    outDir = mkdtempSync(join(tmpdir(), 'ebpfvm-playground-'));
    const common = { root: join(ROOT, 'playground'), configFile: join(ROOT, 'playground/vite.config.ts'), logLevel: 'silent' as const };
    await vite.build({ ...common, build: { outDir, emptyOutDir: true } });
    server = await vite.preview({ ...common, build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false } });
    url = server.resolvedUrls!.local[0]!;
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function openPage(hash: string, opts: { csp?: (html: string) => string } = {}) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    if (opts.csp) {
      await page.route(/\/(index\.html)?(\?.*)?$/, async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, body: opts.csp!(await res.text()) });
      });
    }
    await page.goto(url + hash);
    await page.waitForSelector('body[data-ready]');
    return { page, errors };
  }
  const view = async (page: import('playwright-core').Page, v: string) => {
    await page.click(`#tabs button[data-view="${v}"]`);
    await page.waitForSelector(`#view[data-view="${v}"]`);
  };
  const shot = (page: import('playwright-core').Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  it('scheduler: verdict, retval, and the tree drawn after each run with the library\'s in-order keys and colours', async () => {
    const { page, errors } = await openPage('#example=scheduler&view=object');
    expect(await page.textContent('#programs')).toContain('schedule');
    expect(await page.textContent('#maps-table')).toContain('rbtree');
    await shot(page, 'scheduler-object');
    await view(page, 'disasm');
    expect(await page.locator('#listing [data-pc]').count()).toBeGreaterThan(100);
    await shot(page, 'scheduler-disasm');
    await view(page, 'verifier');
    const verdict = verdictLine(programVerdict(() => openObject(bytesOf('examples/scheduler.o'), { name: 'scheduler' }), 'schedule', { logLevel: 1 }));
    expect(await page.textContent('#verdict')).toBe(verdict);
    await shot(page, 'scheduler-verifier');
    await page.check('#strict');
    const strict = verdictLine(programVerdict(() => openObject(bytesOf('examples/scheduler.o'), { name: 'scheduler' }), 'schedule', { logLevel: 1, strict: true }));
    await page.locator('#verdict', { hasText: strict }).waitFor();
    expect(page.url()).toContain('strict=1');
    await page.uncheck('#strict');
    await page.locator('#verdict', { hasText: verdict }).waitFor();
    await view(page, 'run');
    await page.click('#run');
    await page.waitForSelector('#retval');
    expect(await page.textContent('#retval')).toBe('0');
    expect(await page.textContent('#result')).toContain(`Verifier: schedule accepted`);
    await shot(page, 'scheduler-run');
    for (const runs of [1, 2]) {
      if (runs === 2) {
        await view(page, 'run');
        await page.click('#run');
        await page.waitForSelector('#retval');
      }
      await view(page, 'maps');
      const want = schedulerKeys(runs);
      const keys = (await page.textContent('[data-map="queue"] .tree-keys'))!.split(' ').map(Number);
      expect(keys).toEqual(want.keys);
      expect(keys.length).toBe(13 * runs);
      // The drawn tree: one circle per node, coloured as the map's own nodes, in in-order position.
      const drawn = await page.$$eval('[data-map="queue"] svg .node', (gs) => gs.map((g) => ({ color: g.getAttribute('class')!.split(' ')[1]!, x: Number(g.querySelector('circle')!.getAttribute('cx')) })));
      expect(drawn.sort((a, b) => a.x - b.x).map((d) => d.color)).toEqual(want.colors);
    }
    await shot(page, 'scheduler-maps');
    await view(page, 'step');
    await page.click('#trace');
    await page.waitForSelector('#regs');
    expect(await page.textContent('#step-pos')).toMatch(/^step 1 of \d+/);
    await shot(page, 'scheduler-step');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('packet counter: retval, data_out diff, printk, ring buffer record, map table, and stepping', async () => {
    const { page, errors } = await openPage('#example=counter&packet=udp&view=run');
    await page.click('#run');
    await page.waitForSelector('#retval');
    expect(await page.textContent('#retval')).toBe('2'); // XDP_PASS
    // TTL 64 -> 63 and the checksum's high byte 0x0a -> 0x0b
    expect(await page.textContent('#diff-count')).toMatch(/^2 bytes changed, 46 bytes out, 46 in/);
    expect(await page.locator('#data-out .diff').allTextContents()).toEqual(['3f', '0b']);
    expect(await page.textContent('#printk')).toBe('proto 17, 46 bytes, ttl now 63');
    expect(await page.textContent('#ringbuf')).toContain('ringbuf events: 12 bytes');
    expect(await page.textContent('[data-map="counts"] .entries')).toContain('{"packets":1,"bytes":46}');
    await shot(page, 'counter-run');
    await page.selectOption('#packet', 'arp');
    await page.click('#run');
    await page.waitForSelector('#retval');
    expect(await page.textContent('#retval')).toBe('1'); // XDP_DROP
    expect(page.url()).toContain('packet=arp');
    await view(page, 'maps');
    expect(await page.textContent('[data-map="counts"] .entries')).toContain('{"packets":1,"bytes":42}');
    await shot(page, 'counter-maps');
    // Step through a run on the UDP packet: one step per executed instruction, registers and stack.
    await view(page, 'run');
    await page.selectOption('#packet', 'udp');
    await page.click('#run');
    await page.waitForSelector('#retval');
    await view(page, 'step');
    await page.click('#trace');
    await page.waitForSelector('#regs');
    const pos = (await page.textContent('#step-pos'))!;
    const steps = Number(/of (\d+)/.exec(pos)![1]);
    const rt = new Runtime();
    const obj = load(rt, openObject(bytesOf('examples/pkt_counter.o'), { name: 'pkt_counter' }));
    const packet = Uint8Array.from(Buffer.from('0200000000020200000000010800450000201c46400040110a850a0000010a0000029c400035000c000070696e67', 'hex'));
    testRun(rt, obj.program('count_packets').program, { data: packet });
    const r = testRun(rt, obj.program('count_packets').program, { data: packet }); // a later run: the counter exists, the page's path
    expect(steps).toBe(r.insnCount);
    expect(await page.textContent('#step-line')).toMatch(/^0: \(/);
    const regs1 = await page.$$eval('#regs tbody tr', (trs) => trs.map((tr) => tr.children[1]!.textContent));
    expect(regs1[1]).not.toBe('0x0'); // r1 = the context
    await page.click('#step-next');
    await page.click('#step-next');
    expect(await page.textContent('#step-pos')).toMatch(/^step 3 of/);
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#step-pos')).toMatch(/^step 4 of/);
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('#step-pos')).toMatch(/^step 3 of/);
    expect(await page.locator('#regs tr.changed').count()).toBeGreaterThan(0);
    await shot(page, 'counter-step');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rejected program: the CLI\'s verdict, the failing instruction highlighted in the log and the listing, linked to its source line', async () => {
    const { page, errors } = await openPage('#example=rejected&view=verifier');
    const open = () => openObject(bytesOf('examples/rejected.o'), { name: 'rejected' });
    const v = programVerdict(open, 'missing_null_check', { logLevel: 1 });
    expect(v.status).toBe('rejected');
    expect(await page.textContent('#verdict')).toBe(verdictLine(v));
    const fail = await page.locator('#log .fail').allTextContents();
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatch(new RegExp(`^${v.errorPc}: \\(79\\) r1 = \\*\\(u64 \\*\\)\\(r0 \\+0\\)`));
    expect(await page.textContent('#fail-source')).toBe('*v += 1;  [./examples/rejected.c:24]');
    await shot(page, 'rejected-verifier');
    await page.selectOption('#loglevel', '2');
    const level2 = await page.$$eval('#log div', (ds) => ds.map((d) => d.textContent));
    expect(level2).toEqual(programVerdict(open, 'missing_null_check', { logLevel: 2 }).log!.replace(/\n$/, '').split('\n').map((l) => l || ' '));
    expect(page.url()).toContain('level=2');
    await page.click('#fail-link');
    await page.waitForSelector('#view[data-view="disasm"]');
    expect(await page.getAttribute('#listing .fail', 'data-pc')).toBe(String(v.errorPc));
    await shot(page, 'rejected-disasm');
    await view(page, 'run');
    await page.click('#run');
    await page.waitForSelector('#run-error');
    let cli = '';
    try {
      verifyForRun(load(new Runtime(), open(), { programs: ['missing_null_check'] }), 'missing_null_check');
    } catch (e) {
      expect(e).toBeInstanceOf(VerifierError);
      cli = errorReport(e).text;
    }
    expect(await page.textContent('#run-error')).toBe(cli);
    await shot(page, 'rejected-run');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a shared link restores the example, program, input and repeat count; run=1 runs it at once', async () => {
    const { page, errors } = await openPage('#example=counter&packet=tcp-syn&repeat=3&view=run&run=1');
    await page.waitForSelector('#retval');
    expect(await page.inputValue('#packet')).toBe('tcp-syn');
    expect(await page.inputValue('#repeat')).toBe('3');
    expect(await page.textContent('#printk')).toBe(['proto 6, 54 bytes, ttl now 63', 'proto 6, 54 bytes, ttl now 62', 'proto 6, 54 bytes, ttl now 61'].join('\n'));
    expect(await page.textContent('#result-line')).toMatch(/^Return value: 2, duration \(average\): \d+ns$/);
    // the page keeps its state in the hash, without run=1 (a reload shows it, does not rerun)
    expect(new URL(page.url()).hash).toBe('#example=counter&packet=tcp-syn&repeat=3&view=run');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a user object from the file picker or a drop, and words a bad one as the CLI does', async () => {
    const { page } = await openPage('#example=scheduler');
    await page.setInputFiles('#file', join(ROOT, 'examples/pkt_counter.o'));
    await page.locator('#objname', { hasText: 'pkt_counter:' }).waitFor();
    const spec = openObject(bytesOf('examples/pkt_counter.o'), { name: 'pkt_counter' });
    expect(await page.textContent('#objname')).toBe(`pkt_counter: 1 program, ${spec.maps.size} maps, ${bytesOf('examples/pkt_counter.o').length} bytes`);
    // Drag and drop: a drop event carrying the file, as a browser makes it.
    const rejected = [...bytesOf('examples/rejected.o')];
    // (a string, since this file is compiled without the DOM's types)
    const dt = await page.evaluateHandle(`(() => { const d = new DataTransfer(); d.items.add(new File([new Uint8Array(${JSON.stringify(rejected)})], 'rejected.o')); return d; })()`);
    await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
    await page.locator('#objname', { hasText: 'rejected:' }).waitFor();
    expect(await page.inputValue('#prog')).toBe('missing_null_check');
    const bad = new Uint8Array(bytesOf('examples/rejected.o').subarray(0, 200));
    await page.setInputFiles('#file', { name: 'broken.o', mimeType: 'application/octet-stream', buffer: Buffer.from(bad) });
    await page.waitForSelector('#error:not([hidden])');
    let want = '';
    try {
      openObject(bad, { name: 'broken' });
    } catch (e) {
      want = errorReport(e).text;
    }
    expect(want).toMatch(/^ebpfvm: /);
    expect(await page.textContent('#error')).toBe(want);
    await page.close();
  });

  it('works offline once loaded: no request after the first load, examples switch and run', async () => {
    const { page, errors } = await openPage('#example=counter&view=run');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.context().setOffline(true);
    await page.selectOption('#example', 'scheduler');
    await view(page, 'run');
    await page.click('#run');
    await page.waitForSelector('#retval');
    expect(await page.textContent('#retval')).toBe('0');
    await page.selectOption('#example', 'rejected');
    await view(page, 'verifier');
    expect(await page.textContent('#verdict')).toContain('rejected at insn 8');
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to the interpreter when the CSP forbids new Function, with the same results', async () => {
    const { page, errors } = await openPage('#example=scheduler&view=run', { csp: (html) => html.replace("script-src 'self' 'unsafe-eval'", "script-src 'self'") });
    expect(await page.textContent('#engine')).toContain('interpreter');
    await page.click('#run');
    await page.waitForSelector('#retval');
    expect(await page.textContent('#retval')).toBe('0');
    await view(page, 'maps');
    expect((await page.textContent('[data-map="queue"] .tree-keys'))!.split(' ').map(Number)).toEqual(schedulerKeys(1).keys);
    // the refused eval is reported by Chromium as a CSP violation, nothing else
    expect(errors.filter((e) => !/Content Security Policy|unsafe-eval/i.test(e))).toEqual([]);
    await page.close();
  });
});
