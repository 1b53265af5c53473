// `npm run bench [-- --quick] [--json] [filters...]`: run the registered suites and print a table
// (or one JSON document). Each suite module registers itself on import; add one line per module.
import { formatRow, runSuites, selectSuites } from './registry.js';
import './vm.js';
import './registers.js';
import './rbtree.js';

function main(argv: string[]): number {
  const quick = argv.includes('--quick');
  const json = argv.includes('--json');
  const filter = argv.filter((a) => !a.startsWith('--'));
  const selected = selectSuites(filter);
  if (selected.length === 0) {
    process.stderr.write(`no benchmark suite matches ${filter.join(' ')}\n`);
    return 2;
  }
  if (!json) process.stdout.write(`${selected.length} suite(s)${quick ? ' (quick)' : ''}, node ${process.version}\n`);
  const results = runSuites({
    quick,
    filter,
    onResult: (r) => {
      if (!json) process.stdout.write(formatRow(r) + '\n');
    },
  });
  if (json) process.stdout.write(JSON.stringify({ node: process.version, quick, results }, null, 2) + '\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
