// replayDecisions: each kind of change, one row each, judged from the recorded subject (namespace,
// annotations, images as written) — plus grouping and the text report's bounds.
import type { DecisionRecord } from '../../../src/decision-log';
import type { DecisionLabel } from '../../../src/imagereview';
import { loadPolicy } from '../../../src/policy';
import { formatReplayText, replayDecisions } from '../../../src/replay';

const BREAK_GLASS = { 'alpha.image-policy.k8s.io/break-glass': 'true' };

function policy(body: string) {
  return loadPolicy(`apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: candidate}\n${body}`, 'candidate.yaml');
}

function record(decision: DecisionLabel, images: string[], extra: Partial<DecisionRecord['review']> = {}, line = 1): DecisionRecord {
  const allowed = decision !== 'deny';
  return { line, review: { namespace: 'default', annotations: {}, images, ...extra }, imagesAllowed: images.map(() => decision === 'allow'), allowed, decision, policy: 'old', policyHash: 'abc123def456' };
}

describe('replayDecisions', () => {
  test.each([
    { name: 'allowed, still allowed', body: 'allow: [quay.io/**]', recorded: record('allow', ['quay.io/a:1']), kind: undefined, after: 'allow' },
    { name: 'allowed, now denied', body: 'allow: [quay.io/**]', recorded: record('allow', ['nginx:1.27']), kind: 'allowed-to-denied', after: 'deny' },
    { name: 'audit let it in, enforce now refuses', body: 'allow: [quay.io/**]', recorded: record('audit-deny', ['nginx:1.27']), kind: 'allowed-to-denied', after: 'deny' },
    { name: 'denied, now allowed', body: 'allow: [docker.io/**]', recorded: record('deny', ['nginx:1.27']), kind: 'denied-to-allowed', after: 'allow' },
    { name: 'audit would-be denial now approved', body: 'mode: audit\nallow: [docker.io/**]', recorded: record('audit-deny', ['nginx:1.27']), kind: 'verdict-only', after: 'allow' },
    { name: 'approved, now a would-be denial in audit', body: 'mode: audit\nallow: [quay.io/**]', recorded: record('allow', ['nginx:1.27']), kind: 'verdict-only', after: 'audit-deny' },
    { name: 'recorded break-glass annotation honoured', body: 'breakGlass: true', recorded: record('deny', ['nginx:1.27'], { annotations: BREAK_GLASS }), kind: 'denied-to-allowed', after: 'break-glass' },
    { name: 'break-glass withdrawn', body: 'breakGlass: false', recorded: record('break-glass', ['nginx:1.27'], { annotations: BREAK_GLASS }), kind: 'allowed-to-denied', after: 'deny' },
    { name: 'namespace overlays apply to the recorded namespace', body: 'namespaces:\n  - names: [dev-*]\n    mode: audit', recorded: record('deny', ['nginx:1.27'], { namespace: 'dev-a' }), kind: 'denied-to-allowed', after: 'audit-deny' },
    { name: 'an invalid image recorded as written stays denied', body: 'allow: ["**"]', recorded: record('deny', ['Bad Image']), kind: undefined, after: 'deny' },
  ] as const)('$name', ({ body, recorded, kind, after }) => {
    const report = replayDecisions(policy(body), [recorded]);
    expect(report.candidate[after]).toBe(1);
    if (kind === undefined) {
      expect(report.unchanged).toBe(1);
      return;
    }
    expect(report.changed[kind]).toBe(1);
    expect(report.groups[kind]).toEqual([expect.objectContaining({ before: recorded.decision, after, firstLine: 1, count: 1 })]);
  });

  test('identical reviews are one group with a count; the first line is kept', () => {
    const records = [record('allow', ['nginx:1.27'], {}, 3), record('allow', ['busybox:1.36'], {}, 4), record('allow', ['nginx:1.27'], {}, 9)];
    const report = replayDecisions(policy('allow: [quay.io/**]'), records);
    expect(report.changed['allowed-to-denied']).toBe(3);
    expect(report.groups['allowed-to-denied'].map((group) => [group.firstLine, group.count])).toEqual([
      [3, 2],
      [4, 1],
    ]);
  });

  test('the text report shows at most the asked number of examples and quotes hostile namespaces', () => {
    const records = Array.from({ length: 30 }, (_, index) => record('allow', [`evil.example/x${index}:1`], { namespace: 'ns\u001b[31m' }, index + 1));
    const text = formatReplayText(replayDecisions(policy('allow: [quay.io/**]'), records), {
      logFile: 'decisions.log',
      policyFile: 'candidate.yaml',
      examples: 2,
      otherLines: 1,
      malformed: [],
    });
    expect(text).toContain('allowed → denied (30 distinct reviews, first 2 shown):\n');
    expect(text.match(/^ {2}decisions\.log:\d+:/gm)).toHaveLength(2);
    expect(text).toContain('namespace "ns\\u001b[31m"');
    expect(text).toContain('skipped: 1 non-review lines, 0 unreadable review lines');
  });
});
