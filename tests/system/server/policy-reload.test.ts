// Live policy reload in the real `serve` process under continuous load: reviews flow over mutual
// TLS (keep-alive and fresh connections) while the policy file is replaced by rename, rewritten,
// swapped ConfigMap-style, truncated, broken, deleted, replaced by a directory and restored.
// No review may fail, every answer must come from one complete policy (its decision matches the
// policy-hash annotation), a valid write goes into force, and each refused edit is logged exactly
// once with file:line:col while the last good policy keeps serving. (How fast a reload takes
// effect is a performance figure: make bench measures reloads, a loaded test machine cannot.)
import { renameSync, symlinkSync, mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPolicy } from '../../../src/policy';
import { sampleValue, scrapeMetrics } from '../../support/metrics-text';
import { createTestPki, type TestPki } from '../../support/pki';
import { startReviewLoad, type ReviewLoad, type ReviewRecord } from '../../support/review-load';
import { eventually } from '../../support/eventually';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';
import { createPlainDirectory, createProjectedVolume } from '../../support/watched-files';

const POLICY = 'policy.yaml';
const IMAGE_A = 'registry-a.example.com/app:1';
const IMAGE_B = 'registry-b.example.com/app:1';
const REVIEW = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: IMAGE_A }, { image: IMAGE_B }], namespace: 'default' } });

/** Two policies whose answers to REVIEW differ in every field, so a mix of the two would show. */
const POLICY_A = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: policy-a
allow:
  - registry-a.example.com/**
  - registry-b.example.com/**
`;
const POLICY_B = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: policy-b
allow:
  - registry-b.example.com/**
`;
const HASH_A = loadPolicy(POLICY_A, POLICY).hash;
const HASH_B = loadPolicy(POLICY_B, POLICY).hash;
const EXPECTED_ANSWER: Record<string, { policy: string; allowed: boolean; deniedImages?: string }> = {
  [HASH_A]: { policy: 'policy-a', allowed: true },
  [HASH_B]: { policy: 'policy-b', allowed: false, deniedImages: IMAGE_B.replace('-b', '-a') },
};

/** How long to wait for evidence (an answer, a log line): generous, a loaded machine is slow, not wrong. */
const EVIDENCE_TIMEOUT_MS = 15_000;
/**
 * An observation window for something that must not happen (a second log line for one refused
 * edit): longer than the debounce. A slow machine can only make it miss a duplicate, never fail.
 */
const ABSENCE_WINDOW_MS = 500;
const REFUSAL = 'policy reload refused';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki.remove());

interface LogLine {
  readonly message: string;
  readonly issues?: readonly string[];
  readonly [field: string]: unknown;
}

function logLines(webhook: ServeProcess): LogLine[] {
  return webhook.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
}

function hashOf(record: ReviewRecord): string | undefined {
  return record.body?.status?.auditAnnotations?.['policy-hash'];
}

function waitUntil<T>(what: string, probe: () => T | undefined): Promise<T> {
  return eventually(probe, { timeoutMs: EVIDENCE_TIMEOUT_MS, intervalMs: 10, describe: () => what });
}

/** Waits until answers carry `hash`. */
async function waitForHash(load: ReviewLoad, hash: string): Promise<void> {
  const start = load.records.length;
  await waitUntil(`answers from policy ${hash}`, () => load.records.slice(start).find((each) => hashOf(each) === hash));
}

/** The hashes of the next `count` answers completed from now on. */
async function nextHashes(load: ReviewLoad, count: number): Promise<(string | undefined)[]> {
  const start = load.records.length;
  const records = await waitUntil(`${count} more answers`, () => (load.records.length >= start + count ? load.records.slice(start, start + count) : undefined));
  return records.map(hashOf);
}

type Expectation =
  | { readonly kind: 'in-force'; readonly hash: string }
  | { readonly kind: 'refused'; readonly issue: RegExp }
  | { readonly kind: 'back-to-in-force' };

interface Step {
  readonly name: string;
  readonly change: () => void;
  readonly expect: Expectation;
}

interface Scenario {
  readonly name: string;
  readonly setup: () => { policyFile: string; steps: Step[]; cleanup: () => void };
}

const plainFile: Scenario = {
  name: 'plain file edited every way an operator might',
  setup: () => {
    const files = createPlainDirectory({ [POLICY]: POLICY_A });
    const at = files.path(POLICY);
    const steps: Step[] = [
      { name: 'editor save by rename to B', change: () => files.writeByRename(POLICY, POLICY_B), expect: { kind: 'in-force', hash: HASH_B } },
      { name: 'rename back to A', change: () => files.writeByRename(POLICY, POLICY_A), expect: { kind: 'in-force', hash: HASH_A } },
      { name: 'in-place rewrite to B', change: () => files.writeInPlace(POLICY, POLICY_B), expect: { kind: 'in-force', hash: HASH_B } },
      { name: 'truncated to empty', change: () => files.writeInPlace(POLICY, ''), expect: { kind: 'refused', issue: new RegExp(`^${at}:1:1: the policy file is empty`) } },
      { name: 'truncated mid-document', change: () => files.writeInPlace(POLICY, POLICY_A.slice(0, POLICY_A.indexOf('Policy'))), expect: { kind: 'refused', issue: new RegExp(`^${at}:2:7: kind: `) } },
      { name: 'invalid YAML', change: () => files.writeByRename(POLICY, `${POLICY_A}  - [unclosed\n`), expect: { kind: 'refused', issue: new RegExp(`^${at}:\\d+:\\d+: `) } },
      { name: 'bad pattern', change: () => files.writeByRename(POLICY, POLICY_B.replace('registry-b.example.com/**', 'registry-b.example.com/UPPER')), expect: { kind: 'refused', issue: new RegExp(`^${at}:6:5: allow\\[0\\]: `) } },
      { name: 'the in-force text written back', change: () => files.writeByRename(POLICY, POLICY_B), expect: { kind: 'back-to-in-force' } },
      { name: 'deleted', change: () => files.remove(POLICY), expect: { kind: 'refused', issue: new RegExp(`^${at}: cannot read: ENOENT`) } },
      { name: 'restored as A', change: () => files.writeByRename(POLICY, POLICY_A), expect: { kind: 'in-force', hash: HASH_A } },
      // Tests run as root, for whom chmod 000 does not stop a read: a directory is unreadable for anyone.
      { name: 'unreadable: a directory in place of the file', change: () => files.replaceWithDirectory(POLICY), expect: { kind: 'refused', issue: new RegExp(`^${at}: cannot read: not a regular file`) } },
      {
        name: 'directory removed, B written',
        change: () => {
          files.remove(POLICY);
          files.writeByRename(POLICY, POLICY_B);
        },
        expect: { kind: 'in-force', hash: HASH_B },
      },
    ];
    return { policyFile: at, steps, cleanup: files.cleanup };
  },
};

const configMapVolume: Scenario = {
  name: 'ConfigMap volume whose ..data symlink the kubelet swaps',
  setup: () => {
    const volume = createProjectedVolume({ [POLICY]: POLICY_A });
    const at = volume.path(POLICY);
    const steps: Step[] = [
      { name: '..data swapped to B', change: () => volume.swap({ [POLICY]: POLICY_B }), expect: { kind: 'in-force', hash: HASH_B } },
      { name: '..data swapped to A', change: () => volume.swap({ [POLICY]: POLICY_A }), expect: { kind: 'in-force', hash: HASH_A } },
      { name: '..data swapped to an invalid policy', change: () => volume.swap({ [POLICY]: 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nallow: {}\n' }), expect: { kind: 'refused', issue: new RegExp(`^${at}:\\d+:\\d+: `) } },
      { name: '..data swapped to a folder without the key', change: () => volume.swap({ 'other.yaml': POLICY_B }), expect: { kind: 'refused', issue: new RegExp(`^${at}: cannot read: ENOENT`) } },
      { name: '..data swapped to B again', change: () => volume.swap({ [POLICY]: POLICY_B }), expect: { kind: 'in-force', hash: HASH_B } },
      { name: '..data dangling', change: () => volume.swapToMissing(), expect: { kind: 'refused', issue: new RegExp(`^${at}: cannot read: ENOENT`) } },
      { name: '..data swapped to A once more', change: () => volume.swap({ [POLICY]: POLICY_A }), expect: { kind: 'in-force', hash: HASH_A } },
    ];
    return { policyFile: at, steps, cleanup: volume.cleanup };
  },
};

function checkAnswers(records: readonly ReviewRecord[]): string[] {
  const problems: string[] = [];
  for (const record of records) {
    const hash = hashOf(record);
    const expected = hash === undefined ? undefined : EXPECTED_ANSWER[hash];
    const annotations = record.body?.status?.auditAnnotations ?? {};
    if (record.status !== 200 || expected === undefined) {
      problems.push(`status ${record.status} ${record.error ?? JSON.stringify(record.body)}`);
    } else if (record.body?.status?.allowed !== expected.allowed || annotations.policy !== expected.policy || annotations['denied-images'] !== expected.deniedImages) {
      problems.push(`answer not from one complete policy: ${JSON.stringify(record.body)}`);
    }
  }
  return problems;
}

async function runStep(webhook: ServeProcess, load: ReviewLoad, step: Step, inForce: string): Promise<string> {
  const logged = logLines(webhook).length;
  step.change();
  if (step.expect.kind === 'in-force') {
    await waitForHash(load, step.expect.hash);
    return 'in force';
  }
  const message = step.expect.kind === 'refused' ? REFUSAL : 'policy files are back to the version in force';
  await waitUntil(message, () => logLines(webhook).slice(logged).find((line) => line.message.startsWith(message)));
  await new Promise((resolve) => setTimeout(resolve, ABSENCE_WINDOW_MS));
  const lines = logLines(webhook).slice(logged).filter((line) => line.message.startsWith('policy'));
  const latest = load.records.slice(-10).map(hashOf);
  const { expect: expectation } = step;
  const issueOk = expectation.kind !== 'refused' || (lines[0]?.issues ?? []).some((issue) => expectation.issue.test(issue));
  return lines.length === 1 && issueOk && latest.every((hash) => hash === inForce)
    ? `${expectation.kind}, logged once, last good policy serving`
    : `unexpected: ${JSON.stringify({ lines, latest })}`;
}

test.each([plainFile, configMapVolume])('$name', async (scenario) => {
  const { policyFile, steps, cleanup } = scenario.setup();
  const webhook = await startServeProcess({ policyFile, tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath });
  const load = startReviewLoad({ port: webhook.port, credentials: { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, body: REVIEW });
  try {
    await waitForHash(load, HASH_A);
    let inForce = HASH_A;
    const outcomes: Array<{ step: string; outcome: string }> = [];
    for (const step of steps) {
      let outcome: string;
      try {
        outcome = await runStep(webhook, load, step, inForce);
      } catch (error) {
        outcome = `${String(error)}; log: ${webhook.output().split('\n').slice(-4).join('\n')}`;
      }
      outcomes.push({ step: step.name, outcome });
      if (step.expect.kind === 'in-force') inForce = step.expect.hash;
    }
    await load.stop();

    expect(outcomes).toEqual(steps.map((step) => ({
      step: step.name,
      outcome: step.expect.kind === 'in-force' ? 'in force' : `${step.expect.kind}, logged once, last good policy serving`,
    })));
    expect(checkAnswers(load.records)).toEqual([]);
    expect(new Set(load.records.map(hashOf))).toEqual(new Set([HASH_A, HASH_B]));

    const samples = await scrapeMetrics(webhook.healthPort);
    expect({
      success: sampleValue(samples, 'image_policy_webhook_reloads_total', { kind: 'policy', result: 'success' }),
      failure: sampleValue(samples, 'image_policy_webhook_reloads_total', { kind: 'policy', result: 'failure' }),
      info: samples.filter((sample) => sample.name === 'image_policy_webhook_policy_info').map((sample) => sample.labels),
      reviews: sampleValue(samples, 'image_policy_webhook_reviews_total', { decision: 'allow', mode: 'enforce' }) + sampleValue(samples, 'image_policy_webhook_reviews_total', { decision: 'deny', mode: 'enforce' }),
    }).toEqual({
      success: steps.filter((step) => step.expect.kind === 'in-force').length,
      failure: steps.filter((step) => step.expect.kind === 'refused').length,
      info: [{ name: EXPECTED_ANSWER[inForce]!.policy, hash: inForce }],
      reviews: load.records.length,
    });
  } finally {
    await load.stop();
    await webhook.stop();
    cleanup();
  }
});

/**
 * A change no directory watch can see: the policy path is a symlink to a symlink in a third,
 * unwatched folder, and only that middle link is re-pointed, at a file in a new folder nothing
 * watches either. SIGHUP and the periodic re-read are the two ways such a change still gets in.
 */
function createSymlinkChain(): { policyFile: string; repointTo: (text: string) => void; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'ipw-chain-'));
  for (const folder of ['served', 'links']) mkdirSync(path.join(root, folder));
  let version = 0;
  const store = (text: string): string => {
    version += 1;
    const folder = path.join(root, `store-${version}`);
    mkdirSync(folder);
    writeFileSync(path.join(folder, POLICY), text);
    return path.join(folder, POLICY);
  };
  symlinkSync(store(POLICY_A), path.join(root, 'links', 'current'));
  symlinkSync(path.join(root, 'links', 'current'), path.join(root, 'served', POLICY));
  return {
    policyFile: path.join(root, 'served', POLICY),
    repointTo: (text) => {
      symlinkSync(store(text), path.join(root, 'links', 'next'));
      renameSync(path.join(root, 'links', 'next'), path.join(root, 'links', 'current'));
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

test.each([
  { name: 'SIGHUP reloads at once, and the process keeps serving', reloadInterval: '0', signal: true },
  { name: 'the periodic re-read picks up what no watch saw', reloadInterval: '0.3', signal: false },
])('$name', async ({ reloadInterval, signal }) => {
  const chain = createSymlinkChain();
  const webhook = await startServeProcess({ policyFile: chain.policyFile, tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath, extraArgs: ['--reload-interval', reloadInterval] });
  const load = startReviewLoad({ port: webhook.port, credentials: { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, body: REVIEW, concurrency: 2 });
  try {
    await waitForHash(load, HASH_A);
    chain.repointTo(POLICY_B);
    if (signal) {
      // Nothing re-reads without being asked: answers completed after the change still come from A.
      expect(await nextHashes(load, 5)).toEqual(Array(5).fill(HASH_A));
      webhook.child.kill('SIGHUP');
    }
    await waitForHash(load, HASH_B);

    const logged = logLines(webhook).length;
    const refusals = (): number => logLines(webhook).slice(logged).filter((line) => line.message.startsWith(REFUSAL)).length;
    chain.repointTo('kind: [broken\n');
    if (signal) {
      // Asked for explicitly, the same refusal is reported each time.
      for (const count of [1, 2]) {
        webhook.child.kill('SIGHUP');
        await waitUntil(`refusal ${count}, asked for by SIGHUP`, () => (refusals() === count ? true : undefined));
      }
    } else {
      await waitUntil(REFUSAL, () => (refusals() === 1 ? true : undefined));
      // Several periodic re-reads of the same broken bytes (an observation window for an absence):
      // still one refusal line, one failure counted.
      await new Promise((resolve) => setTimeout(resolve, 4 * Number(reloadInterval) * 1000));
      expect(refusals()).toBe(1);
      expect(sampleValue(await scrapeMetrics(webhook.healthPort), 'image_policy_webhook_reloads_total', { kind: 'policy', result: 'failure' })).toBe(1);
    }
    expect(webhook.child.exitCode).toBeNull();
    expect(await nextHashes(load, 5)).toEqual(Array(5).fill(HASH_B));
  } finally {
    const records = await load.stop();
    expect(checkAnswers(records)).toEqual([]);
    expect((await webhook.stop()).code).toBe(0);
    chain.cleanup();
  }
});
