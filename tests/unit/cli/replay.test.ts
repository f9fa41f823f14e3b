// `replay` on the decision log the real app wrote: the policy that wrote it changes nothing
// (exit 0); candidates that refuse or admit more are reported both ways (exit 1); JSON for scripts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../support/cli';
import { writeTempPolicy } from '../../support/policies';
import { AUDIT_LOG_FILE, FIXTURES_DIR } from '../suggest/fixtures';

const LOG_FIXTURES = path.join(FIXTURES_DIR, 'decision-log');
const BASELINE = path.join(LOG_FIXTURES, 'baseline.yaml');
const ENFORCE = path.join(LOG_FIXTURES, 'candidate-enforce.yaml');
const SANDBOX_OPEN = path.join(LOG_FIXTURES, 'candidate-sandbox-open.yaml');

interface ReplayJson {
  reviews: number;
  unchanged: number;
  changed: Record<'allowed-to-denied' | 'denied-to-allowed' | 'verdict-only', number>;
  examples: Record<string, { line: number; before: string; after: string; namespace: string; images: { image: string; allowed: boolean }[] }[]>;
  distinct: Record<string, number>;
}

async function replayJson(policy: string, extra: string[] = []): Promise<{ code: number | null; report: ReplayJson }> {
  const result = await runCli(['replay', '--policy', policy, '--log', AUDIT_LOG_FILE, '--output', 'json', ...extra]);
  return { code: result.code, report: JSON.parse(result.stdout) as ReplayJson };
}

describe('replay', () => {
  test.each([
    { name: 'the policy that wrote the log changes nothing', policy: BASELINE, code: 0, changed: { 'allowed-to-denied': 0, 'denied-to-allowed': 0, 'verdict-only': 0 } },
    { name: 'switching to enforce too early refuses the would-be denials', policy: ENFORCE, code: 1, changed: { 'allowed-to-denied': 13, 'denied-to-allowed': 0, 'verdict-only': 0 } },
    { name: 'opening the sandbox admits a refused pod and clears a would-be denial', policy: SANDBOX_OPEN, code: 1, changed: { 'allowed-to-denied': 0, 'denied-to-allowed': 1, 'verdict-only': 1 } },
  ])('$name', async ({ policy, code, changed }) => {
    const result = await replayJson(policy);
    expect(result.code).toBe(code);
    expect(result.report.reviews).toBe(28);
    expect(result.report.changed).toEqual(changed);
  });

  test('denied → allowed names the review line and the image that is now admitted', async () => {
    const { report } = await replayJson(SANDBOX_OPEN);
    expect(report.examples['denied-to-allowed']).toEqual([
      expect.objectContaining({ before: 'deny', after: 'allow', namespace: 'sandbox', images: [expect.objectContaining({ image: 'evil.example/miner:1.0', allowed: true })] }),
    ]);
    const line = readFileSync(AUDIT_LOG_FILE, 'utf8').split('\n')[(report.examples['denied-to-allowed']?.[0]?.line ?? 0) - 1];
    expect(line).toContain('evil.example/miner:1.0');
  });

  test.each([
    { name: 'a refused pod admitted, a would-be denial cleared: nothing admitted is refused', policy: SANDBOX_OPEN, code: 0 },
    { name: 'admitted pods would be refused', policy: ENFORCE, code: 1 },
    { name: 'nothing changes', policy: BASELINE, code: 0 },
  ])('--fail-on denied: $name', async ({ policy, code }) => {
    const result = await runCli(['replay', '--policy', policy, '--log', AUDIT_LOG_FILE, '--fail-on', 'denied']);
    expect(result.code).toBe(code);
  });

  test('audit → enforce: a policy suggested from the log, in enforce mode, refuses only what break-glass let in', async () => {
    const suggested = await runCli(['suggest', '--from-log', AUDIT_LOG_FILE, '--mode', 'enforce']);
    const candidate = writeTempPolicy(suggested.stdout, 'enforce.yaml');
    const gate = await runCli(['replay', '--policy', candidate, '--log', AUDIT_LOG_FILE, '--fail-on', 'denied', '--output', 'json']);
    const report = JSON.parse(gate.stdout) as ReplayJson;
    // suggest leaves out images only break-glass admitted, so the gate names exactly that review.
    expect(gate.code).toBe(1);
    expect(report.changed['allowed-to-denied']).toBe(1);
    expect(report.examples['allowed-to-denied']?.map((example) => [example.before, example.images.map((image) => image.image)])).toEqual([['break-glass', ['nicolaka/netshoot:v0.13']]]);
    // The would-be denials are now plain allows, which the default --fail-on any still reports.
    expect(report.changed['verdict-only']).toBeGreaterThan(0);
  });

  test('--examples bounds the examples, counts stay whole', async () => {
    const { report } = await replayJson(ENFORCE, ['--examples', '2']);
    expect(report.examples['allowed-to-denied']).toHaveLength(2);
    expect(report.distinct['allowed-to-denied']).toBe(13);
  });

  test('text output: counts first, then examples with file:line', async () => {
    const result = await runCli(['replay', '--policy', ENFORCE, '--log', AUDIT_LOG_FILE, '--examples', '1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^replayed 28 reviews from .*audit\.log under .*candidate-enforce\.yaml \(policy baseline-enforce, hash [0-9a-f]{12}\): 13 reviews would change\n/);
    expect(result.stdout).toContain('  allowed → denied: 13\n');
    expect(result.stdout).toMatch(/\nallowed → denied \(13 distinct reviews, first 1 shown\):\n {2}.*audit\.log:\d+: namespace "kube-system": audit-deny → deny\n {6}deny  "docker\.io\/calico\/node:v3\.29\.2": no allow pattern matches\n/);
  });

  test('the log from stdin, with identical reviews grouped', async () => {
    const log = readFileSync(AUDIT_LOG_FILE, 'utf8');
    const result = await runCli(['replay', '--policy', ENFORCE, '--log', '-', '--output', 'json'], { input: log + log });
    const report = JSON.parse(result.stdout) as ReplayJson;
    expect(report.changed['allowed-to-denied']).toBe(26);
    expect(report.distinct['allowed-to-denied']).toBe(13);
  });

  test.each([
    { name: 'an invalid candidate', args: ['--policy', writeTempPolicy('kind: nope\n'), '--log', AUDIT_LOG_FILE], stderr: /policy\.yaml:1:1: .*apiVersion/ },
    { name: 'a missing log', args: ['--policy', BASELINE, '--log', '/nonexistent.log'], stderr: /^replay: cannot read --log \/nonexistent\.log/ },
    { name: 'a log without reviews', args: ['--policy', BASELINE, '--log', BASELINE], stderr: /holds no review lines/ },
    { name: 'a negative example count', args: ['--policy', BASELINE, '--log', AUDIT_LOG_FILE, '--examples', '-1'], stderr: /--examples/ },
    { name: 'no --log', args: ['--policy', BASELINE], stderr: /required option '--log <file>'/ },
  ])('exit 2: $name', async ({ args, stderr }) => {
    const result = await runCli(['replay', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
  });
});

describe('replay never calls an incomplete replay "no change"', () => {
  test('a review line that cannot be judged again makes the run exit 2, also with --fail-on denied', async () => {
    const truncated = JSON.stringify({ level: 'info', message: 'review', namespace: 'default', annotations: {}, decision: 'audit-deny', allowed: true, images: [], imagesOmitted: 301, policy: 'baseline', policyHash: 'abc' });
    const log = `${readFileSync(AUDIT_LOG_FILE, 'utf8')}${truncated}\n`;
    const result = await runCli(['replay', '--policy', BASELINE, '--log', '-', '--fail-on', 'denied'], { input: log });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/skipped a review line: the line lists 0 of the review's images \(301 omitted/);
    expect(result.stderr).toMatch(/1 review lines of --log - could not be judged again \(listed above\), so the replay is incomplete/);
  });
});
