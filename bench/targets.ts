// Starts and stops the servers under test, each in its own process: the real `serve` command
// (optionally with --workers) and the two baselines. Every one listens on loopback with the
// same certificates; the harness learns when each is ready and which pids to charge CPU to.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { listProcessTree } from './process-cpu';
import { READY_LINE } from './servers/baseline-config';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI_ENTRY = path.join(PROJECT_ROOT, 'dist', 'main.js');
const BASELINE_DIR = path.join(__dirname, 'servers');
const START_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 50;
/** The primary's log line once every worker serves; see src/server/cluster.ts. */
const WORKERS_READY_MESSAGE = 'all workers ready';

export interface Target {
  readonly name: string;
  readonly port: number;
  /** The webhook's plain-HTTP port for /healthz, /readyz and /metrics. */
  readonly healthPort?: number;
  readonly pids: readonly number[];
  /** Lines the process wrote to stdout (for the webhook: one JSON log line per review). */
  readonly logLines: () => number;
  /** SIGTERM, then the exit code (the webhook must drain and exit 0). */
  stop(): Promise<number | null>;
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 500 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/** Counts stdout lines without keeping them, like a log collector draining the pipe. */
function watchOutput(child: ChildProcess): { lines: () => number; text: () => string } {
  let lines = 0;
  let head = '';
  const HEAD_LIMIT = 64 * 1024;
  child.stdout?.on('data', (chunk: Buffer) => {
    for (let index = chunk.indexOf(10); index >= 0; index = chunk.indexOf(10, index + 1)) lines += 1;
    if (head.length < HEAD_LIMIT) head += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (head.length < HEAD_LIMIT) head += chunk.toString('utf8');
  });
  return { lines: () => lines, text: () => head };
}

async function waitUntil(child: ChildProcess, what: string, output: () => string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready())) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it was ready:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} was not ready after ${START_TIMEOUT_MS} ms:\n${output()}`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

function makeTarget(name: string, port: number, child: ChildProcess, output: { lines: () => number }, healthPort?: number): Target {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    port,
    ...(healthPort === undefined ? {} : { healthPort }),
    pids: listProcessTree(child.pid!),
    logLines: output.lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface WebhookTargetOptions {
  readonly name: string;
  readonly policyFile: string;
  readonly pkiDir: string;
  readonly workers: number;
}

export async function startWebhookTarget(options: WebhookTargetOptions): Promise<Target> {
  const port = await findFreePort();
  const healthPort = await findFreePort();
  const pki = (file: string): string => path.join(options.pkiDir, file);
  const args = [
    CLI_ENTRY, 'serve',
    '--policy', options.policyFile,
    '--tls-cert', pki('server.crt'),
    '--tls-key', pki('server.key'),
    '--client-ca', pki('ca.crt'),
    '--listen', `127.0.0.1:${port}`,
    '--health-listen', `127.0.0.1:${healthPort}`,
    ...(options.workers === 1 ? [] : ['--workers', String(options.workers)]),
  ];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = watchOutput(child);
  await waitUntil(child, options.name, output.text, async () =>
    (options.workers === 1 || output.text().includes(WORKERS_READY_MESSAGE)) && isHealthy(healthPort),
  );
  return makeTarget(options.name, port, child, output, healthPort);
}

/** GET on the webhook's health port, e.g. /metrics. */
export function fetchHealthText(healthPort: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: healthPort, path }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

export type BaselineKind = 'minimal-express' | 'bare-node';

export async function startBaselineTarget(kind: BaselineKind, pkiDir: string, responseFile: string): Promise<Target> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [path.join(BASELINE_DIR, `${kind}.js`)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_PORT: String(port), BENCH_PKI_DIR: pkiDir, BENCH_RESPONSE_FILE: responseFile },
  });
  const output = watchOutput(child);
  await waitUntil(child, kind, output.text, async () => output.text().split('\n').includes(READY_LINE));
  return makeTarget(kind, port, child, output);
}
