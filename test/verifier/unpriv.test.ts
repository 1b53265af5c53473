// The unprivileged verifier rules (issue 17) on hand-assembled programs: for every case of
// ./unpriv-cases.ts the verdict and error line match the host kernel's, recorded as root and
// without CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN/CAP_SYS_ADMIN (test/fixtures/unpriv-rules.json,
// scripts/record-unpriv-rules.mjs), so each rule is asserted refused unprivileged with the kernel's
// message and accepted (or refused for its own reason) when privileged.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { helperById } from '../../helpers/table.js';
import { verify } from '../../verifier/index.js';
import { UNPRIV_CASES, UNPRIV_MAPS } from './unpriv-cases.js';

interface Verdict {
  loaded: boolean;
  errno?: string;
  error?: string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/unpriv-rules.json', import.meta.url), 'utf8')) as {
  kernel: string;
  cases: { name: string; priv: Verdict; unpriv: Verdict }[];
};

function run(progType: number, text: string, unpriv: boolean) {
  return verify(
    { name: 't', insns: assemble(text), progType, gpl: true, map: (id) => UNPRIV_MAPS[id - 1], helper: helperById },
    { logLevel: 1, ...(unpriv ? { unpriv } : {}) },
  );
}

describe(`unprivileged rules against the host kernel (${fixture.kernel})`, () => {
  it('the fixture covers every case', () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(UNPRIV_CASES.map(([name]) => name));
  });
  for (const [name, progType, text] of UNPRIV_CASES) {
    const host = fixture.cases.find((c) => c.name === name)!;
    for (const mode of ['priv', 'unpriv'] as const) {
      it(`${name} (${mode}): ${host[mode].loaded ? 'accepted' : host[mode].error}`, () => {
        const r = run(progType, text, mode === 'unpriv');
        expect(r.accepted).toBe(host[mode].loaded);
        if (!host[mode].loaded) expect(r.error).toBe(host[mode].error);
      });
    }
  }
  it('every family is refused somewhere unprivileged and not for the same reason privileged', () => {
    const families = new Set(fixture.cases.filter((c) => !c.unpriv.loaded && c.unpriv.error !== c.priv.error).map((c) => c.name.split(':')[0]));
    expect([...families].sort()).toEqual(['calls', 'cfg', 'cmp', 'ctx', 'helper', 'leak', 'map_ptr', 'prune', 'ref', 'stack']);
  });
});

describe('unprivileged log details', () => {
  it('a kfunc call is refused before it is looked up (6.18 host: the same line for `call kfunc#1`)', () => {
    const r = run(1, 'call kfunc#1\nr0 = 0\nexit', true);
    expect(r.error).toBe('loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN');
  });
  it('stacksafe: privileged the misc bytes prune the uninitialised path, unprivileged they do not', () => {
    const [, progType, text] = UNPRIV_CASES.find(([name]) => name.startsWith('prune:'))!;
    const priv = verify({ name: 't', insns: assemble(text), progType, gpl: true, map: () => undefined, helper: helperById }, { logLevel: 2 });
    const unpriv = verify({ name: 't', insns: assemble(text), progType, gpl: true, map: () => undefined, helper: helperById }, { logLevel: 2, unpriv: true });
    expect(priv.log).toContain('from 4 to 11: safe');
    expect(unpriv.log).not.toContain('11: safe');
    expect(unpriv.error).toBe('invalid read from stack off -8+1 size 8');
  });
  it('every scalar is precise without CAP_BPF (the P of the log), with no backtracking lines', () => {
    const text = 'r1 = 5\nif r1 > 3 goto +1\nr0 = 0\nr0 = 0\nexit';
    const priv = verify({ name: 't', insns: assemble(text), progType: 1, gpl: true, map: () => undefined, helper: helperById }, { logLevel: 2 });
    const unpriv = verify({ name: 't', insns: assemble(text), progType: 1, gpl: true, map: () => undefined, helper: helperById }, { logLevel: 2, unpriv: true });
    expect(priv.log).toContain('mark_precise');
    expect(unpriv.log).not.toContain('mark_precise');
    expect(unpriv.log).toContain('R1=P5');
  });
});
