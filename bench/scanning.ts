// What scan-report gating and tag resolution add to a review whose tags are all cached (the
// target: under 50 µs). Runs the server's own path in process: answerImageReviewWith + ReviewContextSource
// (report index lookups, cache peeks, evaluate with context) against the plain answerImageReview
// for the same review under the same allow list, alternating rounds and reporting medians.
// Build and run: npx tsc -p bench/tsconfig.json && node bench/.build/bench/scanning.js
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answerImageReview, answerImageReviewWith, IMAGE_REVIEW_API_VERSION, IMAGE_REVIEW_KIND } from '../src/imagereview';
import { type CompiledPolicy, loadPolicy } from '../src/policy';
import { SILENT_LOGGER } from '../src/logger';
import { ReviewContextSource } from '../src/review-context';

const ROUNDS = Number(process.env['BENCH_SCANNING_ROUNDS'] ?? 9);
const ITERATIONS = Number(process.env['BENCH_SCANNING_ITERATIONS'] ?? 20_000);
const BUDGET_MICROSECONDS = 50;
/** Compiled to bench/.build/bench/: the project root is three folders up. */
const REPORTS = path.join(__dirname, '..', '..', '..', 'tests', 'fixtures', 'trivy', 'valid');

/** A registry stand-in for warming the cache: HEAD manifests answered with a digest of the path. */
function startDigestServer(): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const digest = `sha256:${createHash('sha256').update(request.url ?? '').digest('hex')}`;
    response.writeHead(200, { 'Docker-Content-Digest': digest, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function writePolicy(directory: string, name: string, fields: string): CompiledPolicy {
  const text = `apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: ${name}}\n${fields}`;
  const file = path.join(directory, `${name}.yaml`);
  writeFileSync(file, text);
  return loadPolicy(text, file);
}

function nanosecondsPerReview(run: () => void): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < ITERATIONS; index += 1) run();
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const server = await startDigestServer();
  const registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const directory = mkdtempSync(path.join(tmpdir(), 'ipw-bench-scanning-'));
  cpSync(REPORTS, path.join(directory, 'reports'), { recursive: true });
  const allow = `allow: ["${registry}/**", "registry.example.com/**"]\n`;
  const plain = writePolicy(directory, 'plain', allow);
  const scanning = writePolicy(
    directory,
    'scanning',
    `${allow}vulnerabilities: {reports: reports, maxSeverity: HIGH}\nresolveTags: {registries: ["${registry}"], plainHttpRegistries: ["${registry}"], cacheTTLSeconds: 3600}\n`,
  );
  const images = [`${registry}/team/app:v1`, `${registry}/team/sidecar:v2`, 'registry.example.com/payments/ledger:1.4.3'];
  const body = { kind: IMAGE_REVIEW_KIND, apiVersion: IMAGE_REVIEW_API_VERSION, spec: { containers: images.map((image) => ({ image })), namespace: 'default' } };
  const source = new ReviewContextSource({ logger: SILENT_LOGGER, watch: false });
  source.follow(scanning, true);
  const prepare = (review: Parameters<ReviewContextSource['prepare']>[1]) => source.prepare(scanning, review);
  const warm = await answerImageReviewWith(scanning, body, prepare);
  if (warm.kind !== 'decision' || !warm.decision.allowed || warm.decision.images.some((verdict) => verdict.digest === undefined && verdict.report === undefined)) {
    throw new Error(`warm-up review was not resolved and gated as expected: ${JSON.stringify(warm.response)}`);
  }
  const cached = answerImageReviewWith(scanning, body, prepare);
  if (cached instanceof Promise) throw new Error('a review with every tag cached must be answered without waiting');

  const baseline: number[] = [];
  const withScanning: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    baseline.push(nanosecondsPerReview(() => answerImageReview(plain, body)));
    withScanning.push(nanosecondsPerReview(() => answerImageReviewWith(scanning, body, prepare)));
  }
  const base = median(baseline) / 1000;
  const scanned = median(withScanning) / 1000;
  const added = scanned - base;
  process.stdout.write(
    [
      `review of ${images.length} images (2 tags cached, 3 report lookups), ${ROUNDS} rounds x ${ITERATIONS} reviews, medians:`,
      `  plain policy:                      ${base.toFixed(2)} µs per review`,
      `  vulnerabilities + resolveTags:     ${scanned.toFixed(2)} µs per review`,
      `  added by scanning (all cached):    ${added.toFixed(2)} µs (budget ${BUDGET_MICROSECONDS} µs: ${added < BUDGET_MICROSECONDS ? 'within' : 'OVER'})`,
      '',
    ].join('\n'),
  );
  source.close();
  server.close();
  rmSync(directory, { recursive: true, force: true });
  if (added >= BUDGET_MICROSECONDS) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench scanning: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
