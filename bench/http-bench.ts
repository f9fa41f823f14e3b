// The HTTP benchmark: the real `serve` (1 and N workers) against a minimal Express app and a bare
// node:https server, all over the same mutual TLS with the same request body, driven in
// alternating rounds (A B C A B C ...) so that drift on the machine hits each alike.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { BenchConfig } from './config';
import { runLoad, type RoundResult } from './load';
import { createBenchPki, type BenchPki } from './pki';
import { formatHttpReport, summarizeHttp, type HttpSummary } from './http-report';
import { PROJECT_ROOT, startBaselineTarget, startWebhookTarget, type Target } from './targets';

export const REQUEST_FILE = 'tests/fixtures/requests/request-init-containers.json';
export const POLICY_FILE = 'bench/policy.yaml';

/** Asks the webhook once, so the baselines answer with exactly the bytes it answers with. */
function fetchAnswer(port: number, pki: BenchPki, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/imagepolicy', ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey, servername: 'localhost', agent: false, headers: { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`webhook answered ${response.statusCode}`))));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export function webhookName(workers: number): string {
  return workers === 1 ? 'webhook' : `webhook ×${workers} workers`;
}

async function startTargets(config: BenchConfig, pki: BenchPki, body: Buffer, scratch: string): Promise<Target[]> {
  const targets: Target[] = [];
  try {
    for (const workers of config.workers) {
      targets.push(await startWebhookTarget({ name: webhookName(workers), policyFile: path.join(PROJECT_ROOT, POLICY_FILE), pkiDir: pki.dir, workers }));
    }
    const answer = await fetchAnswer(targets[0]!.port, pki, body);
    const responseFile = path.join(scratch, 'response.json');
    writeFileSync(responseFile, answer);
    targets.push(await startBaselineTarget('minimal-express', pki.dir, responseFile));
    targets.push(await startBaselineTarget('bare-node', pki.dir, responseFile));
    return targets;
  } catch (error) {
    await Promise.all(targets.map((target) => target.stop()));
    throw error;
  }
}

export async function runHttpBench(config: BenchConfig): Promise<HttpSummary> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ipw-bench-'));
  try {
    const pki = await createBenchPki(scratch);
    const body = readFileSync(path.join(PROJECT_ROOT, REQUEST_FILE));
    const targets = await startTargets(config, pki, body, scratch);
    const answered = new Map<string, number>([[targets[0]!.name, 1]]);
    const load = async (target: Target, connections: number, seconds: number): Promise<RoundResult> => {
      const result = await runLoad({ port: target.port, connections, seconds, body, clientCert: pki.clientCert, clientKey: pki.clientKey, serverPids: target.pids });
      answered.set(target.name, (answered.get(target.name) ?? 0) + result.responses);
      return result;
    };

    const rounds = new Map<string, RoundResult[]>();
    let exitCodes: (number | null)[] = [];
    try {
      for (const target of targets) {
        process.stderr.write(`warming up ${target.name}\n`);
        await load(target, 16, config.warmupSeconds);
      }
      for (const connections of config.concurrencies) {
        for (let round = 1; round <= config.rounds; round += 1) {
          for (const target of targets) {
            const result = await load(target, connections, config.seconds);
            process.stderr.write(`c=${connections} round ${round}/${config.rounds} ${target.name}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms${result.failures > 0 ? `, ${result.failures} FAILURES` : ''}\n`);
            const key = `${target.name}@${connections}`;
            rounds.set(key, [...(rounds.get(key) ?? []), result]);
          }
        }
      }
    } finally {
      exitCodes = await Promise.all(targets.map((target) => target.stop()));
    }
    const summary = summarizeHttp(config, targets, rounds, exitCodes, answered, REQUEST_FILE, POLICY_FILE);
    process.stdout.write(formatHttpReport(summary));
    return summary;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
