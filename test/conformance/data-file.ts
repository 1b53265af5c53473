// Parser for bpf_conformance's .data test files (the format of lib/src/bpf_test_parser.cc, as
// described in reference/conformance-plugin.md): `#` comments, `--` directives found by substring,
// `-- asm` / `-- raw` program, `-- mem` hex bytes, `-- result` (hex if it contains 0x, else
// decimal) or `-- error` text.
export interface DataFile {
  asm?: string;
  raw?: bigint[];
  mem?: Uint8Array;
  result?: bigint;
  error?: string;
  /** Set when the real runner would skip the file (unknown directive, nothing to check). */
  skip?: string;
}

export function parseDataFile(text: string): DataFile {
  const out: DataFile = {};
  let section: 'asm' | 'raw' | 'mem' | 'result' | 'error' | 'ignore' | undefined;
  const asm: string[] = [];
  const raw: bigint[] = [];
  const mem: number[] = [];
  let resultText: string | undefined;
  for (let line of text.split('\n')) {
    line = line.replace(/\r/g, '').replace(/#.*$/, '');
    if (line.includes('--')) {
      if (line.includes('asm')) section = 'asm';
      else if (line.includes('raw')) section = 'raw';
      else if (line.includes('mem')) section = 'mem';
      else if (line.includes('result')) section = 'result';
      else if (line.includes('error')) section = 'error';
      else if (line.includes('no register offset') || /--\s*c\b/.test(line)) section = 'ignore';
      else return { skip: `unknown directive: ${line.trim()}` };
      continue;
    }
    if (section === 'asm') asm.push(line);
    else if (section === 'raw') for (const t of line.split(/\s+/).filter(Boolean)) raw.push(BigInt(t));
    else if (section === 'mem') for (const t of line.split(/\s+/).filter(Boolean)) mem.push(parseInt(t, 16));
    else if (section === 'result' && line.trim() && resultText === undefined) resultText = line.trim();
    else if (section === 'error' && line.trim() && out.error === undefined) out.error = line.trim();
  }
  if (asm.some((l) => l.trim())) out.asm = asm.join('\n');
  if (raw.length) out.raw = raw;
  if (mem.length) out.mem = Uint8Array.from(mem);
  if (resultText !== undefined) out.result = resultText.includes('0x') ? BigInt(resultText) : BigInt(resultText);
  if (out.result === undefined && out.error === undefined) out.skip = 'no result and no error';
  if (out.result === undefined && out.error !== undefined) out.result = 0n;
  return out;
}
