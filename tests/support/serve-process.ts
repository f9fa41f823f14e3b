// Starts the built `serve` command as its own process for fault injection and soak runs: on free
// loopback ports, as `nobody` when run as root, with optional Node flags (a small heap), and
// with its exit (code, signal, time) observable so tests can tell a clean stop from a crash.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { findFreePort } from './ports';
import { runsAsRoot, UNPRIVILEGED_ID } from './served-files';

/**
 * The checkout this harness belongs to, found by walking up to our package.json, so that it
 * works from jest (tests/reliability/harness) and compiled for make soak/fault (a build folder).
 */
export function findProjectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'image-policy-webhook') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no image-policy-webhook package.json above ${start}`);
  }
}

const PROJECT_ROOT = findProjectRoot();
const CLI_ENTRY = path.join(PROJECT_ROOT, 'dist', 'main.js');
const DROP_PRIVILEGES = ['setpriv', `--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, '--clear-groups'];
let dropsPrivileges: boolean | undefined;

/**
 * True when the server runs as `nobody`: we are root and `nobody` can read the built CLI (a
 * checkout under a private home directory cannot be, and then the server runs as root).
 */
export function serverDropsPrivileges(): boolean {
  dropsPrivileges ??= runsAsRoot() && spawnSync(DROP_PRIVILEGES[0]!, [...DROP_PRIVILEGES.slice(1), 'test', '-r', CLI_ENTRY]).status === 0;
  return dropsPrivileges;
}

/** Root reads a file whatever its mode: "made unreadable" is only a fault for anyone else. */
export function serverIgnoresFileModes(): boolean {
  return runsAsRoot() && !serverDropsPrivileges();
}

export interface ServeOptions {
  readonly policyFile: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly clientCa: string;
  readonly extraArgs?: readonly string[];
  /** Flags for node itself, e.g. --max-old-space-size=64. */
  readonly nodeArgs?: readonly string[];
  readonly startTimeoutMs?: number;
  /** Sees every chunk the process prints (long runs count log lines here instead of keeping them). */
  readonly onOutput?: (chunk: string) => void;
  /** Keep everything printed for output(); off for long runs, whose logs would fill memory. */
  readonly retainOutput?: boolean;
}

export interface ServeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

export interface ServeProcess {
  readonly pid: number;
  readonly port: number;
  readonly healthPort: number;
  readonly child: ChildProcess;
  readonly exited: Promise<ServeExit>;
  /** stdout and stderr so far: JSON log lines, and whatever Node prints when it dies. */
  output(): string;
  isRunning(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then the exit; SIGKILL if it is not gone within `graceMs`. */
  stop(graceMs?: number): Promise<ServeExit>;
}

const DEFAULT_STOP_GRACE_MS = 20_000;

export function getHttpStatus(port: number, path: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

export async function startServe(options: ServeOptions): Promise<ServeProcess> {
  const port = await findFreePort();
  const healthPort = await findFreePort();
  const nodeCommand = [process.execPath, ...(options.nodeArgs ?? []), CLI_ENTRY, 'serve',
    '--policy', options.policyFile,
    '--tls-cert', options.tlsCert,
    '--tls-key', options.tlsKey,
    '--client-ca', options.clientCa,
    '--listen', `127.0.0.1:${port}`,
    '--health-listen', `127.0.0.1:${healthPort}`,
    ...(options.extraArgs ?? []),
  ];
  // setpriv execs node in place, so the pid we hold is the server's own.
  const command = serverDropsPrivileges() ? [...DROP_PRIVILEGES, ...nodeCommand] : nodeCommand;
  const child = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const retain = options.retainOutput ?? true;
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    options.onOutput?.(text);
    // Without retention, keep a tail: startup errors and a dying process's last words.
    output = retain ? output + text : (output + text).slice(-64 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<ServeExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (!isRunning()) throw new Error(`serve exited with ${child.exitCode ?? child.signalCode} before it was healthy:\n${output}`);
    if ((await getHttpStatus(healthPort, '/healthz')) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not become healthy in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    pid: child.pid!,
    port,
    healthPort,
    child,
    exited,
    output: () => output,
    isRunning,
    signal: (signal) => {
      if (isRunning()) child.kill(signal);
    },
    async stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      if (isRunning()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Resolves once `predicate` holds for the process output, or rejects after `timeoutMs`. */
export async function waitForOutput(server: ServeProcess, predicate: RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = server.output().slice(from);
    const match = predicate.exec(text);
    if (match) return match[0];
    if (Date.now() > deadline) throw new Error(`no output matching ${predicate} within ${timeoutMs} ms; output since mark:\n${text.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
