// Turns the rounds of the HTTP benchmark into medians, ratios and a Markdown report.
import type { BenchConfig } from './config';
import type { RoundResult } from './load';
import { median, round3 } from './stats';
import type { Target } from './targets';

export const WEBHOOK = 'webhook';
export const MINIMAL_EXPRESS = 'minimal-express';
export const BARE_NODE = 'bare-node';

export interface MedianResult {
  readonly target: string;
  readonly concurrency: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly serverCpuUsPerRequest: number;
  readonly failures: number;
  readonly rounds: readonly RoundResult[];
}

export interface RatioRow {
  readonly concurrency: number;
  readonly target: string;
  readonly throughputOverMinimalExpress: number;
  readonly throughputOverBareNode: number;
  readonly p99OverMinimalExpress: number;
  readonly cpuPerRequestOverBareNode: number;
}

export interface HttpSummary {
  readonly settings: { readonly seconds: number; readonly rounds: number; readonly warmupSeconds: number; readonly quick: boolean };
  readonly request: string;
  readonly policy: string;
  readonly targets: readonly { readonly name: string; readonly exitCode: number | null; readonly requests: number; readonly stdoutLines: number }[];
  readonly results: readonly MedianResult[];
  readonly ratios: readonly RatioRow[];
}

function medianOf(rounds: readonly RoundResult[], pick: (round: RoundResult) => number): number {
  return round3(median(rounds.map(pick)));
}

export function summarizeHttp(
  config: BenchConfig,
  targets: readonly Target[],
  rounds: ReadonlyMap<string, readonly RoundResult[]>,
  exitCodes: readonly (number | null)[],
  answered: ReadonlyMap<string, number>,
  request: string,
  policy: string,
): HttpSummary {
  const results: MedianResult[] = [];
  for (const concurrency of config.concurrencies) {
    for (const target of targets) {
      const measured = rounds.get(`${target.name}@${concurrency}`) ?? [];
      results.push({
        target: target.name,
        concurrency,
        requestsPerSecond: medianOf(measured, (round) => round.requestsPerSecond),
        p50Ms: medianOf(measured, (round) => round.p50Ms),
        p99Ms: medianOf(measured, (round) => round.p99Ms),
        p999Ms: medianOf(measured, (round) => round.p999Ms),
        maxMs: medianOf(measured, (round) => round.maxMs),
        serverCpuUsPerRequest: medianOf(measured, (round) => round.serverCpuUsPerRequest),
        failures: measured.reduce((sum, round) => sum + round.failures, 0),
        rounds: measured,
      });
    }
  }
  const find = (target: string, concurrency: number): MedianResult | undefined =>
    results.find((result) => result.target === target && result.concurrency === concurrency);
  const ratios: RatioRow[] = [];
  for (const result of results) {
    if (!result.target.startsWith(WEBHOOK)) continue;
    const express = find(MINIMAL_EXPRESS, result.concurrency);
    const bare = find(BARE_NODE, result.concurrency);
    if (express === undefined || bare === undefined) continue;
    ratios.push({
      concurrency: result.concurrency,
      target: result.target,
      throughputOverMinimalExpress: round3(result.requestsPerSecond / express.requestsPerSecond),
      throughputOverBareNode: round3(result.requestsPerSecond / bare.requestsPerSecond),
      p99OverMinimalExpress: round3(result.p99Ms / express.p99Ms),
      cpuPerRequestOverBareNode: round3(result.serverCpuUsPerRequest / bare.serverCpuUsPerRequest),
    });
  }
  return {
    settings: { seconds: config.seconds, rounds: config.rounds, warmupSeconds: config.warmupSeconds, quick: config.quick },
    request,
    policy,
    targets: targets.map((target, index) => ({ name: target.name, exitCode: exitCodes[index] ?? null, requests: answered.get(target.name) ?? 0, stdoutLines: target.logLines() })),
    results,
    ratios,
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(round3(value));
}

export function formatHttpReport(summary: HttpSummary): string {
  const { settings } = summary;
  const lines = [
    '',
    `### HTTP: medians of ${settings.rounds} rounds × ${settings.seconds} s per server and concurrency${settings.quick ? ' (QUICK MODE: smoke test, figures meaningless)' : ''}`,
    '',
    '| concurrency | server | req/s | p50 ms | p99 ms | p99.9 ms | server CPU µs/req | failures |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
    ...summary.results.map((result) =>
      `| ${result.concurrency} | ${result.target} | ${formatNumber(result.requestsPerSecond)} | ${formatNumber(result.p50Ms)} | ${formatNumber(result.p99Ms)} | ${formatNumber(result.p999Ms)} | ${formatNumber(result.serverCpuUsPerRequest)} | ${result.failures} |`,
    ),
    '',
    '| concurrency | server | req/s ÷ minimal Express | req/s ÷ bare Node | p99 ÷ minimal Express p99 | CPU/req ÷ bare Node |',
    '|---:|---|---:|---:|---:|---:|',
    ...summary.ratios.map((ratio) =>
      `| ${ratio.concurrency} | ${ratio.target} | ${ratio.throughputOverMinimalExpress}× | ${ratio.throughputOverBareNode}× | ${ratio.p99OverMinimalExpress}× | ${ratio.cpuPerRequestOverBareNode}× |`,
    ),
    '',
    `Request: \`${summary.request}\`; webhook policy: \`${summary.policy}\`; webhook logging on (JSON line per review to a pipe).`,
    ...summary.targets.map((target) => `- ${target.name}: exit code ${target.exitCode} after SIGTERM; ${target.requests.toLocaleString('en-US')} requests answered, ${target.stdoutLines.toLocaleString('en-US')} stdout lines`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
