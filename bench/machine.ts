// Where a result came from: every results file carries the machine, the Node version, the git
// commit and how loaded the machine was, because a figure without them cannot be compared.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { ROOT } from './paths.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  v8: string;
  commit: string;
  /** True when the work tree had uncommitted changes (the commit alone does not describe it). */
  dirty: boolean;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).toString().trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    v8: process.versions.v8,
    commit: git(['rev-parse', '--short=12', 'HEAD']) ?? 'unknown',
    // Only tracked files under the paths that make up the VM: others' untracked scratch does not count.
    dirty: (git(['status', '--porcelain', '--untracked-files=no', '--', 'src', 'vm', 'maps', 'helpers', 'bench']) ?? '') !== '',
  };
}

/** 1-, 5- and 15-minute load averages, and the same divided by the core count. */
export function loadAverage(): { load: [number, number, number]; perCore: number } {
  const l = os.loadavg() as [number, number, number];
  return { load: [round2(l[0]), round2(l[1]), round2(l[2])], perCore: round2(l[0] / Math.max(1, os.cpus().length)) };
}

export function describeLoad(perCore: number): string {
  if (perCore < 0.25) return 'idle';
  if (perCore < 0.75) return 'lightly loaded';
  if (perCore < 1.25) return 'busy';
  return 'overloaded (figures are pessimistic and noisy)';
}

const round2 = (x: number) => Math.round(x * 100) / 100;
