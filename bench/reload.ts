// Reload under load: the real `serve` answers reviews at a steady concurrency while its policy
// file (10 000 patterns by default) is replaced every couple of seconds, the way an editor or a
// ConfigMap update does (write a new file, rename it over the old one). Rounds with and without
// reloads alternate; the figure that matters is the slowest review of all.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchConfig } from './config';
import { runLoad, type RoundResult } from './load';
import { createBenchPki } from './pki';
import { generatePolicy } from './policy-generator';
import { REQUEST_FILE } from './http-bench';
import { median, round3 } from './stats';
import { fetchHealthText, PROJECT_ROOT, startWebhookTarget } from './targets';

const RELOAD_CONCURRENCY = 16;
const RELOAD_EVERY_MS = 2_000;
/** The target: no review slower than this while a policy reloads. */
export const RELOAD_LATENCY_BOUND_MS = 100;
// The benchmark request's images, so that reviews are allowed under the generated policies.
const REQUEST_IMAGES_ALLOW = ['registry.example.com/shop/**', 'busybox:1.36'];
const RELOADS_METRIC = 'image_policy_webhook_reloads_total{kind="policy",result="success"}';

export interface ReloadSummary {
  readonly patterns: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly reloads: number;
  readonly steady: { readonly maxMs: number; readonly p99Ms: number; readonly p999Ms: number; readonly requestsPerSecond: number };
  readonly reloading: { readonly maxMs: number; readonly p99Ms: number; readonly p999Ms: number; readonly requestsPerSecond: number };
  readonly boundMs: number;
  readonly failures: number;
}

function policyText(size: number, seed: number): string {
  const extra = REQUEST_IMAGES_ALLOW.map((pattern) => `  - "${pattern}"\n`).join('');
  return generatePolicy(size, seed).text.replace('\nallow:\n', `\nallow:\n${extra}`);
}

function summarize(rounds: readonly RoundResult[]): ReloadSummary['steady'] {
  return {
    maxMs: round3(Math.max(...rounds.map((round) => round.maxMs))),
    p99Ms: round3(median(rounds.map((round) => round.p99Ms))),
    p999Ms: round3(median(rounds.map((round) => round.p999Ms))),
    requestsPerSecond: round3(median(rounds.map((round) => round.requestsPerSecond))),
  };
}

async function readReloadCount(healthPort: number): Promise<number> {
  const metrics = await fetchHealthText(healthPort, '/metrics');
  const line = metrics.split('\n').find((each) => each.startsWith(RELOADS_METRIC));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function runReloadBench(config: BenchConfig, patterns: number): Promise<ReloadSummary> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ipw-reload-'));
  try {
    const pki = await createBenchPki(scratch);
    const versions = [policyText(patterns, 1), policyText(patterns, 2)];
    const policyFile = path.join(scratch, 'policy.yaml');
    writeFileSync(policyFile, versions[0]!);
    const target = await startWebhookTarget({ name: 'webhook', policyFile, pkiDir: pki.dir, workers: 1 });
    const body = readFileSync(path.join(PROJECT_ROOT, REQUEST_FILE));
    const load = (): Promise<RoundResult> =>
      runLoad({ port: target.port, connections: RELOAD_CONCURRENCY, seconds: config.seconds, body, clientCert: pki.clientCert, clientKey: pki.clientKey, serverPids: target.pids });
    const steady: RoundResult[] = [];
    const reloading: RoundResult[] = [];
    let version = 0;
    try {
      await runLoad({ port: target.port, connections: RELOAD_CONCURRENCY, seconds: config.warmupSeconds, body, clientCert: pki.clientCert, clientKey: pki.clientKey, serverPids: target.pids });
      const reloadsBefore = await readReloadCount(target.healthPort!);
      for (let round = 1; round <= config.rounds; round += 1) {
        steady.push(await load());
        // Write beside the file, then rename over it: what editors and ConfigMap updates do.
        const timer = setInterval(() => {
          version = 1 - version;
          const next = `${policyFile}.next`;
          writeFileSync(next, versions[version]!);
          renameSync(next, policyFile);
        }, RELOAD_EVERY_MS);
        try {
          reloading.push(await load());
        } finally {
          clearInterval(timer);
        }
        process.stderr.write(`reload round ${round}/${config.rounds}: slowest review ${steady.at(-1)!.maxMs.toFixed(1)} ms steady, ${reloading.at(-1)!.maxMs.toFixed(1)} ms while reloading\n`);
      }
      // Let the last rewrite be picked up before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const reloads = (await readReloadCount(target.healthPort!)) - reloadsBefore;
      const summary: ReloadSummary = {
        patterns,
        concurrency: RELOAD_CONCURRENCY,
        seconds: config.seconds,
        reloads,
        steady: summarize(steady),
        reloading: summarize(reloading),
        boundMs: RELOAD_LATENCY_BOUND_MS,
        failures: [...steady, ...reloading].reduce((sum, round) => sum + round.failures, 0),
      };
      process.stdout.write(formatReloadReport(summary));
      return summary;
    } finally {
      await target.stop();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatReloadReport(summary: ReloadSummary): string {
  const row = (name: string, figures: ReloadSummary['steady']): string =>
    `| ${name} | ${Math.round(figures.requestsPerSecond).toLocaleString('en-US')} | ${figures.p99Ms} | ${figures.p999Ms} | ${figures.maxMs} |`;
  const lines = [
    '',
    `### Reload under load: ${summary.patterns.toLocaleString('en-US')}-pattern policy replaced every ${RELOAD_EVERY_MS / 1000} s, concurrency ${summary.concurrency}, ${summary.reloads} reloads`,
    '',
    '| rounds | req/s | p99 ms | p99.9 ms | slowest review ms |',
    '|---|---:|---:|---:|---:|',
    row('steady', summary.steady),
    row('reloading', summary.reloading),
    '',
    `Slowest review while reloading: ${summary.reloading.maxMs} ms (bound ${summary.boundMs} ms: ${summary.reloading.maxMs <= summary.boundMs ? 'met' : 'NOT met'}); failures: ${summary.failures}.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
