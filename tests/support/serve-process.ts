// The built `serve` command as a child process, as operators run it: the one harness for every
// test and script that needs the real process (TLS, kubectl, workers, faults, soak). It binds
// port 0 and reads the ports from the server's own `serving` log line, so no other process can
// take a port between choosing it and listening on it. Optionally it runs as `nobody` (when the
// tests run as root) so "made unreadable" file faults are real, and with Node flags (a small heap).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { CLI_ENTRY, PROJECT_ROOT, requireFreshBuild } from './built-cli';
import { eventually, GiveUp } from './eventually';
import { runsAsRoot, UNPRIVILEGED_ID } from './served-files';

const DROP_PRIVILEGES = ['setpriv', `--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, '--clear-groups'];
const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_GRACE_MS = 20_000;
/** Whatever the process printed last is kept for errors even when output is not retained. */
const OUTPUT_TAIL_BYTES = 64 * 1024;
/** The `serving` line names both listeners: `"reviews":"https://127.0.0.1:PORT/...","health":"http://127.0.0.1:PORT/..."`. */
const SERVING_LINE = /"message":"serving".*"reviews":"https:\/\/[^"]*?:(\d+)\/.*"health":"http:\/\/[^"]*?:(\d+)\//;
const QUIET_LOG_LEVELS = new Set(['warn', 'error']);

let dropsPrivileges: boolean | undefined;

/** The review and health ports a `serve` process reported in its `serving` line, once it has. */
export function readServingPorts(output: string): { readonly port: number; readonly healthPort: number } | undefined {
  const match = SERVING_LINE.exec(output);
  return match === null ? undefined : { port: Number(match[1]), healthPort: Number(match[2]) };
}

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
  /** Left out: the process is started without --client-ca (and must then be told what to do instead). */
  readonly clientCa?: string;
  /** More `serve` flags (`--workers 2`, `--reload-interval 1`); --listen and --health-listen are the harness's. */
  readonly extraArgs?: readonly string[];
  /** Flags for node itself, e.g. --max-old-space-size=64. */
  readonly nodeArgs?: readonly string[];
  /** Run as `nobody` when the tests run as root and `nobody` can read the checkout. */
  readonly unprivileged?: boolean;
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
  /** `signal` (SIGTERM), then the exit; SIGKILL if it is not gone within `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ServeExit>;
}

/** Under load and beside other test processes a plain GET can take seconds: the default is generous. */
const DEFAULT_GET_TIMEOUT_MS = 15_000;
/** A startup probe is retried, so one that hangs is given up sooner. */
const STARTUP_PROBE_TIMEOUT_MS = 2_000;

/** The status of GET `path` on the health port; 0 when it does not answer within `timeoutMs`. */
export function getHttpStatus(port: number, path: string, timeoutMs = DEFAULT_GET_TIMEOUT_MS): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

function buildCommand(options: ServeOptions): string[] {
  const extraArgs = options.extraArgs ?? [];
  const level = extraArgs[extraArgs.indexOf('--log-level') + 1];
  if (extraArgs.includes('--log-level') && level !== undefined && QUIET_LOG_LEVELS.has(level)) {
    throw new Error(`serve-process: --log-level ${level} hides the "serving" line that reports the ports; keep info and pass retainOutput: false`);
  }
  const nodeCommand = [process.execPath, ...(options.nodeArgs ?? []), CLI_ENTRY, 'serve',
    '--policy', options.policyFile,
    '--tls-cert', options.tlsCert,
    '--tls-key', options.tlsKey,
    ...(options.clientCa === undefined ? [] : ['--client-ca', options.clientCa]),
    '--listen', '127.0.0.1:0',
    '--health-listen', '127.0.0.1:0',
    ...extraArgs,
  ];
  // setpriv execs node in place, so the pid we hold is the server's own.
  return options.unprivileged === true && serverDropsPrivileges() ? [...DROP_PRIVILEGES, ...nodeCommand] : nodeCommand;
}

export async function startServeProcess(options: ServeOptions): Promise<ServeProcess> {
  requireFreshBuild();
  const command = buildCommand(options);
  const child = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let ports: { port: number; healthPort: number } | undefined;
  let pending = '';
  const retain = options.retainOutput ?? true;
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    options.onOutput?.(text);
    output = retain ? output + text : (output + text).slice(-OUTPUT_TAIL_BYTES);
    if (ports !== undefined) return;
    pending += text;
    ports = readServingPorts(pending);
    if (ports === undefined) pending = pending.slice(pending.lastIndexOf('\n') + 1);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<ServeExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;

  let listening: { port: number; healthPort: number };
  try {
    listening = await eventually(
      async () => {
        if (!isRunning()) throw new GiveUp(`serve exited with ${child.exitCode ?? child.signalCode} before it served:\n${output}`);
        return ports !== undefined && (await getHttpStatus(ports.healthPort, '/healthz', STARTUP_PROBE_TIMEOUT_MS)) === 200 ? ports : undefined;
      },
      { timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, describe: () => `serve to report its ports and answer /healthz; its output:\n${output}` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    pid: child.pid!,
    ...listening,
    child,
    exited,
    output: () => output,
    isRunning,
    signal: (signal) => {
      if (isRunning()) child.kill(signal);
    },
    async stop(signal = 'SIGTERM', graceMs = DEFAULT_STOP_GRACE_MS) {
      if (isRunning()) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Resolves with the first match of `pattern` in the output after offset `from`. */
export function waitForOutput(server: ServeProcess, pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
  return eventually(() => pattern.exec(server.output().slice(from))?.[0], {
    timeoutMs,
    describe: () => `output matching ${pattern}; output since the mark:\n${server.output().slice(from).slice(-2000)}`,
  });
}
