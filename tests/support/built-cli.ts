// The built command line, `node dist/main.js`, run as its own process as a user would: for the
// system tests of the real binary (process exit codes, real stdin, signals) and the serve-process
// harness. It refuses to run a build older than src/, so no test ever judges stale code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

export { PROJECT_ROOT } from './paths';
export const CLI_ENTRY = path.join(PROJECT_ROOT, 'dist', 'main.js');
const SOURCE_DIR = path.join(PROJECT_ROOT, 'src');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function newestModification(directory: string): number {
  return Math.max(
    ...readdirSync(directory, { withFileTypes: true }).map((entry) => {
      const full = path.join(directory, entry.name);
      return entry.isDirectory() ? newestModification(full) : statSync(full).mtimeMs;
    }),
  );
}

let buildChecked = false;

/** Spawned tests run dist/; a build older than any source file would test stale code. */
export function requireFreshBuild(): void {
  if (buildChecked) return;
  if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: run \`npm run build\` first (make test-system does)`);
  if (statSync(CLI_ENTRY).mtimeMs < newestModification(SOURCE_DIR)) {
    throw new Error(`${CLI_ENTRY} is older than src/: run \`npm run build\` first (make test-system does)`);
  }
  buildChecked = true;
}

export interface BuiltCliOptions {
  readonly cwd?: string;
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `node dist/main.js ARGS` as its own process, capturing its output and exit code. */
export function runBuiltCli(args: readonly string[], options: BuiltCliOptions = {}): Promise<CliResult> {
  requireFreshBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
