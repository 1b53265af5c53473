// Whether a module is the script node was started with (also through npm's bin symlinks), so the
// CLI files can be both imported by tests and run as commands.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function isEntryModule(moduleUrl: string): boolean {
  try {
    return !!process.argv[1] && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}
