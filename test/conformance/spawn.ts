// Spawning the built plugin the way the bpf_conformance runner does (argv + program on stdin).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '../../dist/src/cli/conformance.js');

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPlugin(args: readonly string[], stdin: string): Promise<PluginRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [PLUGIN, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}
