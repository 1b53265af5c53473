// The CLI's command table: one import per command (README lists the same table).
import type { Command } from 'commander';
import { registerRunRaw } from './run-raw.js';
import { registerRun } from './run.js';
import { registerInspect } from './inspect.js';
import { registerBtf } from './btf.js';
import { registerAsm } from './asm.js';
import { registerDisasm } from './disasm.js';
import { registerBench } from './bench.js';
import { registerTest } from './test.js';
import { registerVerify } from './verify.js';

/** A command registers itself; `setExit` records the exit code of a run that finished normally. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(registerRunRaw);
COMMANDS.push(registerRun);
COMMANDS.push(registerInspect);
COMMANDS.push(registerAsm);
COMMANDS.push(registerDisasm);
COMMANDS.push(registerBtf);
COMMANDS.push(registerBench);
COMMANDS.push(registerVerify);
COMMANDS.push(registerTest);
