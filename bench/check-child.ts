// One policy size for the `check` part, measured in a fresh process (run with --expose-gc): in
// alternating rounds, what `serve` does at start (read the file, loadPolicy) and the whole
// `check FILE` command in-process (read, load, lint, format every warning), plus lintPolicy on
// its own to show its share. Each timing starts after a full GC, so none pays for another's garbage.
import { readFileSync } from 'node:fs';
import { runProgram } from '../src/main';
import { CONTROL_PLANE_NAMESPACE, lintPolicy } from '../src/lint';
import { loadPolicy } from '../src/policy';

export interface CheckInput {
  readonly policyFile: string;
  readonly rounds: number;
}

/** One phase of one round: wall and CPU milliseconds. */
export interface PhaseTiming {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface CheckRound {
  readonly load: PhaseTiming;
  readonly check: PhaseTiming;
  readonly lint: PhaseTiming;
}

export interface CheckMeasurement {
  readonly rounds: readonly CheckRound[];
  readonly warnings: number;
  readonly outputBytes: number;
}

const EXIT_VALID = 0;
/** At least this long of unmeasured rounds before the first measured one. */
const WARM_UP_MS = 2_000;
/** How every warning line of `check` reads: `policy.yaml:12:5: warning: ...`. */
const WARNING_MARK = ': warning: ';

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

async function time(body: () => unknown): Promise<PhaseTiming> {
  collectGarbage();
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  await body();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuStarted);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1e3 };
}

/** Runs `check FILE` in-process; what it writes is kept, as a terminal or log collector would receive it. */
async function runCheck(policyFile: string): Promise<readonly string[]> {
  const chunks: string[] = [];
  const stream = { write: (text: string) => chunks.push(text) };
  const code = await runProgram(['check', policyFile], { stdout: stream, stderr: stream, readStdin: () => '' });
  if (code !== EXIT_VALID) throw new Error(`check ${policyFile} exited ${code}:\n${chunks.join('').slice(0, 2000)}`);
  return chunks;
}

export async function measureCheck(input: CheckInput): Promise<CheckMeasurement> {
  const loadAsServeDoes = (): unknown => loadPolicy(readFileSync(input.policyFile, 'utf8'), input.policyFile);
  // Unmeasured rounds warm the module cache and the JIT for every phase; small files need many.
  const output = (await runCheck(input.policyFile)).join('');
  const warmUntil = Date.now() + WARM_UP_MS;
  while (Date.now() < warmUntil) {
    loadAsServeDoes();
    await runCheck(input.policyFile);
  }
  const warnings = output.split(WARNING_MARK).length - 1;
  const rounds: CheckRound[] = [];
  for (let round = 0; round < input.rounds; round += 1) {
    const load = await time(loadAsServeDoes);
    const check = await time(() => runCheck(input.policyFile));
    const text = readFileSync(input.policyFile, 'utf8');
    const policy = loadPolicy(text, input.policyFile);
    const lint = await time(() => lintPolicy(policy, text, { controlPlane: true, webhookImages: [], webhookNamespace: CONTROL_PLANE_NAMESPACE }));
    rounds.push({ load, check, lint });
  }
  return { rounds, warnings, outputBytes: Buffer.byteLength(output) };
}

if (require.main === module) {
  const input = JSON.parse(readFileSync(0, 'utf8')) as CheckInput;
  measureCheck(input).then(
    (measurement) => process.stdout.write(`${JSON.stringify(measurement)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
