// Entry point of `make bench`: `node bench/.build/bench/main.js [http|scaling|reload|hostile|check|all]`.
// Settings come from the environment (see config.ts and bench/README.md).
import { runCheckBench } from './check';
import { readBenchConfig } from './config';
import { runHostileInputBench } from './hostile-input';
import { runHttpBench } from './http-bench';
import { writeResultSection } from './results';
import { runReloadBench } from './reload';
import { runScalingBench } from './scaling';

const PARTS = ['http', 'scaling', 'reload', 'hostile', 'check', 'all'] as const;
/** The reload part's policy size: a 10 000-pattern policy reloaded under load. */
const RELOAD_PATTERNS = 10_000;
type Part = (typeof PARTS)[number];

function isPart(value: string): value is Part {
  return (PARTS as readonly string[]).includes(value);
}

async function main(argv: readonly string[]): Promise<void> {
  const requested = argv[0] ?? 'all';
  if (!isPart(requested)) {
    process.stderr.write(`usage: main.js [${PARTS.join('|')}]\n`);
    process.exitCode = 2;
    return;
  }
  const config = readBenchConfig();
  if (requested === 'scaling' || requested === 'all') writeResultSection('scaling', runScalingBench(config));
  if (requested === 'http' || requested === 'all') writeResultSection('http', await runHttpBench(config));
  if (requested === 'reload' || requested === 'all') writeResultSection('reload', await runReloadBench(config, RELOAD_PATTERNS));
  if (requested === 'hostile' || requested === 'all') {
    const hostile = runHostileInputBench();
    writeResultSection('hostile', hostile);
    if (!hostile.withinBounds) process.exitCode = 1;
  }
  if (requested === 'check' || requested === 'all') writeResultSection('check', runCheckBench(config));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
