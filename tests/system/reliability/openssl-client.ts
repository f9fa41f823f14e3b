// Drives the real `openssl s_client` against a webhook port: one HTTP request per run, with a
// script of stdin lines for interactive commands such as `R` (renegotiate), each written once
// s_client's output shows what it waits for. The verdict a test reads is whether an HTTP answer
// came back, plus openssl's own words for the failure.
import { spawn, spawnSync } from 'node:child_process';

export interface SClientRun {
  readonly code: number | null;
  readonly output: string;
  /** The status of the HTTP answer that came back through the tunnel, if any. */
  readonly httpStatus: number | undefined;
}

export interface SClientOptions {
  /** Extra s_client flags: -tls1_2, -cipher ..., -cert/-key ... */
  readonly args: readonly string[];
  /** Lines written to s_client's stdin in order, each once the output so far matches its `after`. */
  readonly script?: readonly { readonly after?: RegExp; readonly text: string }[];
  /**
   * Closes stdin once the output matches (interactive s_client ends the connection at end of
   * input, so that must wait for the evidence); without it, stdin closes after the last line.
   */
  readonly closeWhen?: RegExp;
  readonly deadlineMs?: number;
}

export const CLOSING_REVIEW_REQUEST = (body: string): string =>
  `POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Runs `openssl s_client -connect 127.0.0.1:<port> ...`; resolves when it exits or at the deadline. */
export function runSClient(port: number, options: SClientOptions): Promise<SClientRun> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...options.args];
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const script = options.script ?? [];
    let step = 0;
    let closed = false;
    const advance = (): void => {
      while (step < script.length && (script[step]!.after?.test(output) ?? true)) {
        child.stdin.write(script[step]!.text);
        step += 1;
      }
      const done = step === script.length && (options.closeWhen?.test(output) ?? true);
      if (done && !closed) {
        closed = true;
        child.stdin.end();
      }
    };
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('latin1');
      advance();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    advance();
    const deadline = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(deadline);
      const status = /HTTP\/1\.1 (\d{3}) /.exec(output);
      resolve({ code, output, httpStatus: status ? Number(status[1]) : undefined });
    });
  });
}

/** Every cipher suite name this openssl knows for TLS 1.2 and older, weak ones included. */
export function listLegacyCipherSuites(): string[] {
  const result = spawnSync('openssl', ['ciphers', '-v', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ciphers failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 1 && fields[1] !== 'TLSv1.3')
    .map((fields) => fields[0]!)
    // PSK and SRP suites need a pre-shared secret or password that no server here has configured.
    .filter((name) => !/PSK|SRP/.test(name));
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
