// One policy size, measured in a fresh process (run with --expose-gc) so memory figures are the
// policy's own: load-and-compile time, a warm reload, heap and RSS with the policy loaded, and
// the cost of evaluate for one image, for images that hit and images that miss. Times are CPU
// time of this process (wall time too for loading): other processes on a shared machine then
// slow a measurement down much less than they slow the clock on the wall.
import { readFileSync } from 'node:fs';
import { evaluate, loadPolicy, type CompiledPolicy } from '../src/policy';
import { median } from './stats';

export interface ScalingMeasurement {
  /** Wall-clock time of the first load, and its CPU time. */
  readonly loadMs: number;
  readonly loadCpuMs: number;
  readonly reloadMs: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Heap used by the loaded policy: heap after load minus heap before, both after a full GC. */
  readonly policyHeapMiB: number;
  readonly evaluateHitUs: number;
  readonly evaluateMissUs: number;
  readonly evaluateUs: number;
}

export interface ScalingInput {
  readonly policyFile: string;
  readonly hits: readonly string[];
  readonly misses: readonly string[];
  /** A timed batch judges images round-robin for at least this long; the median batch counts. */
  readonly batchMs: number;
  readonly batches: number;
}

const MIB = 1024 * 1024;
const NAMESPACE = 'default';
const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

function cpuMicroseconds(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CPU microseconds per single-image evaluate, median over batches. */
function timeEvaluate(policy: CompiledPolicy, images: readonly string[], batchMs: number, batches: number): number {
  const reviews = images.map((image) => ({ images: [image], namespace: NAMESPACE, annotations: NO_ANNOTATIONS }));
  const batchNs = BigInt(Math.round(batchMs * 1e6));
  const perImage: number[] = [];
  let sink = 0;
  for (let batch = 0; batch < batches; batch += 1) {
    const started = process.hrtime.bigint();
    const cpuStarted = cpuMicroseconds();
    let elapsed = 0n;
    let judged = 0;
    // Whole passes over the image list, so every batch weighs every image alike.
    while (elapsed < batchNs) {
      for (const review of reviews) {
        if (evaluate(policy, review).allowed) sink += 1;
      }
      judged += reviews.length;
      elapsed = process.hrtime.bigint() - started;
    }
    perImage.push((cpuMicroseconds() - cpuStarted) / judged);
  }
  // Keeps the loop's result observable so nothing is optimized away.
  if (sink < 0) process.stdout.write('');
  return median(perImage);
}

/** Loads twice (a cold start, then a reload) and lets the text go, as serve does. */
function loadTimed(policyFile: string): { policy: CompiledPolicy; loadMs: number; loadCpuMs: number; reloadMs: number } {
  const text = readFileSync(policyFile, 'utf8');
  let started = process.hrtime.bigint();
  const cpuStarted = cpuMicroseconds();
  const policy = loadPolicy(text, policyFile);
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  const loadCpuMs = (cpuMicroseconds() - cpuStarted) / 1e3;
  started = process.hrtime.bigint();
  loadPolicy(text, policyFile);
  return { policy, loadMs, loadCpuMs, reloadMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

export function measureScaling(input: ScalingInput): ScalingMeasurement {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const { policy, loadMs, loadCpuMs, reloadMs } = loadTimed(input.policyFile);
  collectGarbage();
  const memory = process.memoryUsage();

  // A first pass warms the JIT on both paths before anything is timed.
  timeEvaluate(policy, [...input.hits, ...input.misses], input.batchMs, 3);
  const evaluateHitUs = timeEvaluate(policy, input.hits, input.batchMs, input.batches);
  const evaluateMissUs = timeEvaluate(policy, input.misses, input.batchMs, input.batches);
  const evaluateUs = timeEvaluate(policy, [...input.hits, ...input.misses], input.batchMs, input.batches);
  return {
    loadMs,
    loadCpuMs,
    reloadMs,
    rssMiB: memory.rss / MIB,
    heapUsedMiB: memory.heapUsed / MIB,
    policyHeapMiB: (memory.heapUsed - heapBefore) / MIB,
    evaluateHitUs,
    evaluateMissUs,
    evaluateUs,
  };
}

if (require.main === module) {
  const input = JSON.parse(readFileSync(0, 'utf8')) as ScalingInput;
  process.stdout.write(`${JSON.stringify(measureScaling(input))}\n`);
}
