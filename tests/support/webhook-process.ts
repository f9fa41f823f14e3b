// Starts the real `serve` command as a child process on free loopback ports and waits until its
// health port answers, so end-to-end tests talk to exactly what operators run.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { CLI_ENTRY, PROJECT_ROOT } from './cli';
import { findFreePort } from './ports';

export interface WebhookProcess {
  readonly port: number;
  readonly healthPort: number;
  readonly child: ChildProcess;
  /** Everything the process printed so far (JSON log lines on stdout, errors on stderr). */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface WebhookProcessOptions {
  readonly policyFile: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly clientCa?: string;
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, timeout: 500 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

export async function startWebhookProcess(options: WebhookProcessOptions): Promise<WebhookProcess> {
  const port = await findFreePort();
  const healthPort = await findFreePort();
  const args = [
    CLI_ENTRY, 'serve',
    '--policy', options.policyFile,
    '--tls-cert', options.tlsCert,
    '--tls-key', options.tlsKey,
    ...(options.clientCa ? ['--client-ca', options.clientCa] : []),
    '--listen', `127.0.0.1:${port}`,
    '--health-listen', `127.0.0.1:${healthPort}`,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before it was healthy:\n${output}`);
    if ((await getStatus(healthPort, '/healthz')) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not become healthy in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    port,
    healthPort,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
