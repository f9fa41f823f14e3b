// suggestPolicy on a realistic cluster dump and decision log: the printed policy loads, admits
// every pod of the dump and nothing the dump did not run (per granularity), and says which
// entries it would not recommend.
import { parse } from 'yaml';
import { buildDecisionLine, parseDecisionLog } from '../../../src/decision-log';
import { labelDecision } from '../../../src/imagereview';
import { type ReviewSubject, evaluate, loadPolicy } from '../../../src/policy';
import { type Granularity, type Sighting, type SuggestOptions, SuggestError, collectLogSightings, collectPodSightings, suggestPolicy } from '../../../src/suggest';
import { buildPolicy } from '../policy/policies';
import { buildPodReviews, readAuditLog, readPodDump } from './fixtures';

const BASE_OPTIONS: SuggestOptions = {
  granularity: 'repository',
  groupByNamespace: false,
  name: 'suggested',
  mode: 'audit',
  allowOnly: false,
  source: '--from-pods pods.json',
  includeDenied: false,
};
const DIGEST = `sha256:${'c'.repeat(64)}`;

function podSightings(): Sighting[] {
  return collectPodSightings(readPodDump()).sightings;
}

function suggestFromPods(options: Partial<SuggestOptions>) {
  return suggestPolicy(podSightings(), { ...BASE_OPTIONS, ...options });
}

function isAdmitted(policyText: string, image: string, namespace: string): boolean {
  return evaluate(loadPolicy(policyText, 'suggested.yaml'), { images: [image], namespace, annotations: {} }).enforcedAllowed;
}

const LAYOUTS = (['image', 'repository', 'prefix'] as const).flatMap((granularity: Granularity) =>
  [false, true].map((groupByNamespace) => ({ name: `${granularity}${groupByNamespace ? ', grouped by namespace' : ''}`, granularity, groupByNamespace })),
);

describe('the suggested policy admits every pod of the dump', () => {
  const reviews = buildPodReviews();

  test('the dump has pods with init and ephemeral containers, digests and short names', () => {
    const images = reviews.flatMap(({ review }) => review.images);
    expect(reviews.some(({ name }) => name.endsWith('(kubectl debug)'))).toBe(true);
    expect(images.some((image) => image.includes('@sha256:'))).toBe(true);
    expect(images).toEqual(expect.arrayContaining(['nginx', 'busybox:1.36', 'grafana/grafana:11.5.2']));
  });

  describe.each(LAYOUTS)('$name', ({ granularity, groupByNamespace }) => {
    const { text } = suggestFromPods({ granularity, groupByNamespace, mode: 'enforce' });
    const policy = loadPolicy(text, 'suggested.yaml');

    test.each(reviews)('$name', ({ review }) => {
      const decision = evaluate(policy, review);
      expect(decision.images.filter((verdict) => !verdict.allowed)).toEqual([]);
      expect(decision.allowed).toBe(true);
    });
  });
});

describe('the suggested policy admits nothing the dump did not run', () => {
  test.each([
    { name: 'unknown registry', granularity: 'image', image: 'evil.example/miner:1.0', namespace: 'default', admitted: false },
    { name: 'lookalike repository', granularity: 'image', image: 'docker.io/library/nginx-evil', namespace: 'default', admitted: false },
    { name: 'another tag of a seen repository (image)', granularity: 'image', image: 'busybox:1.37', namespace: 'default', admitted: false },
    { name: 'a seen tag moved to another digest (image)', granularity: 'image', image: `ghcr.io/acme-shop/checkout@${DIGEST}`, namespace: 'shop', admitted: false },
    { name: 'the seen image itself (image)', granularity: 'image', image: 'docker.io/library/busybox:1.36', namespace: 'default', admitted: true },
    { name: 'unknown registry (repository)', granularity: 'repository', image: 'evil.example/miner:1.0', namespace: 'default', admitted: false },
    { name: 'a sibling repository (repository)', granularity: 'repository', image: 'ghcr.io/acme-shop/admin:1.0', namespace: 'shop', admitted: false },
    { name: 'same path on another port (repository)', granularity: 'repository', image: 'registry.example.com/ci/builder:2026.02', namespace: 'ci', admitted: false },
    { name: 'another tag of a seen repository (repository)', granularity: 'repository', image: 'busybox:1.37', namespace: 'default', admitted: true },
    { name: 'a sibling repository is inside the prefix (prefix)', granularity: 'prefix', image: 'ghcr.io/acme-shop/admin:1.0', namespace: 'shop', admitted: true },
    { name: 'another organisation on the same registry (prefix)', granularity: 'prefix', image: 'ghcr.io/acme-evil/cart:1.0', namespace: 'shop', admitted: false },
    { name: 'unknown registry (prefix)', granularity: 'prefix', image: 'evil.example/miner:1.0', namespace: 'default', admitted: false },
  ] as const)('$name', ({ granularity, image, namespace, admitted }) => {
    expect(isAdmitted(suggestFromPods({ granularity }).text, image, namespace)).toBe(admitted);
  });

  test.each([
    { name: 'a control-plane image outside kube-system', image: 'registry.k8s.io/etcd:3.5.21-0', namespace: 'default', admitted: false },
    { name: 'a control-plane image in kube-system', image: 'registry.k8s.io/etcd:3.5.21-0', namespace: 'kube-system', admitted: true },
    { name: 'a shop image in ci', image: 'ghcr.io/acme-shop/cart-migrate:2.4.1', namespace: 'ci', admitted: false },
  ])('grouped by namespace: $name', ({ image, namespace, admitted }) => {
    expect(isAdmitted(suggestFromPods({ groupByNamespace: true }).text, image, namespace)).toBe(admitted);
  });
});

describe('entries we would not recommend carry warnings', () => {
  test.each([
    { name: ':latest written as a bare name', granularity: 'repository', pattern: 'docker.io/library/nginx', kinds: ['latest', 'short-name'] },
    { name: 'short name with a tag', granularity: 'repository', pattern: 'docker.io/library/busybox', kinds: ['short-name'] },
    { name: 'Docker Hub written with its registry is no short name', granularity: 'repository', pattern: 'docker.io/calico/node', kinds: [] },
    { name: 'index.docker.io is written with a registry', granularity: 'repository', pattern: 'docker.io/library/docker', kinds: [] },
    { name: 'tag without digest at image granularity', granularity: 'image', pattern: 'registry.k8s.io/etcd:3.5.21-0', kinds: ['unpinned-tag'] },
    { name: 'digest only', granularity: 'image', pattern: `ghcr.io/acme-shop/checkout@sha256:${'f1389a47827ecf7477b6114a8e8991559e1c0563b6abffafee67250024345e7d'}`, kinds: [] },
    { name: ':latest is not also reported as unpinned', granularity: 'image', pattern: 'docker.io/library/nginx:latest', kinds: ['latest', 'short-name'] },
    { name: 'prefix entries keep the warnings of what they cover', granularity: 'prefix', pattern: 'docker.io/library/**', kinds: ['latest', 'short-name'] },
  ] as const)('$name', ({ granularity, pattern, kinds }) => {
    const suggestion = suggestFromPods({ granularity });
    const entry = suggestion.entries.find((candidate) => candidate.pattern === pattern);
    expect(entry?.warnings.map((warning) => warning.kind)).toEqual(kinds);
    const line = suggestion.text.split('\n').findIndex((text) => text.startsWith(`  - ${pattern}  #`));
    expect(line).toBeGreaterThan(0);
    const above = suggestion.text.split('\n').slice(line - kinds.length, line);
    expect(above.every((text) => text.startsWith('  # WARNING: '))).toBe(true);
  });

  test('an image seen only in denied reviews is left out: that pod never ran, and whoever creates pods chose the string', () => {
    const suggestion = suggestPolicy(collectLogSightings(parseDecisionLog(readAuditLog()).records), { ...BASE_OPTIONS, source: '--from-log audit.log' });
    expect(suggestion.entries.find((entry) => entry.pattern === 'evil.example/miner')).toBeUndefined();
    expect(suggestion.leftOut).toContain('evil.example/miner:1.0');
    expect(suggestion.text).not.toMatch(/evil\.example/);
    expect(suggestion.text).toMatch(/^# Left out: \d+ image strings seen only in denied or break-glass reviews \(--include-denied adds them, marked\)\.$/m);
    expect(isAdmitted(suggestion.text, 'evil.example/miner:1.0', 'sandbox')).toBe(false);
    expect(suggestion.entries.find((entry) => entry.pattern === 'registry.k8s.io/pause')?.warnings).toEqual([]);
  });

  test('--include-denied adds them, each flagged: that pod never ran', () => {
    const suggestion = suggestPolicy(collectLogSightings(parseDecisionLog(readAuditLog()).records), { ...BASE_OPTIONS, source: '--from-log audit.log', includeDenied: true });
    const miner = suggestion.entries.find((entry) => entry.pattern === 'evil.example/miner');
    expect(miner?.warnings.map((warning) => warning.kind)).toEqual(['never-admitted']);
    expect(suggestion.leftOut).toEqual([]);
  });
});

describe('output form', () => {
  test('a full policy in audit mode by default, with a comment on switching to enforce', () => {
    const { text } = suggestFromPods({});
    const document = parse(text) as Record<string, unknown>;
    expect(document).toMatchObject({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name: 'suggested' }, mode: 'audit' });
    expect(text).toMatch(/# .*switch to `mode: enforce`/);
  });

  test.each([
    { name: 'allow only', groupByNamespace: false, keys: ['allow'] },
    { name: 'allow only, grouped by namespace', groupByNamespace: true, keys: ['namespaces'] },
  ])('$name', ({ groupByNamespace, keys }) => {
    const document = parse(suggestFromPods({ allowOnly: true, groupByNamespace }).text) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(keys);
  });

  test('entries are sorted and the same input in another order prints the same text', () => {
    const sightings = podSightings();
    const forward = suggestPolicy(sightings, BASE_OPTIONS).text;
    const backward = suggestPolicy([...sightings].reverse(), BASE_OPTIONS).text;
    expect(backward).toBe(forward);
    const patterns = forward.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.split('  #')[0]);
    expect(patterns).toEqual([...patterns].sort());
  });

  test('each entry says where it was seen', () => {
    expect(suggestFromPods({}).text).toContain('  - registry.k8s.io/kube-proxy  # 2 pods: kube-system/kube-proxy-7xk2p, kube-system/kube-proxy-q9d4w\n');
  });

  test('the "seen" comment stays bounded however many pods run an image', () => {
    const sightings = Array.from({ length: 500 }, (_, index): Sighting => ({ image: 'registry.example.com/app:1', namespace: 'default', kind: 'pod', id: `default/app-${index}`, admission: 'policy' }));
    const entryLine = suggestPolicy(sightings, BASE_OPTIONS).text.split('\n').find((line) => line.startsWith('  - '));
    expect(entryLine).toMatch(/# 500 pods: default\/app-0, default\/app-1, default\/app-10, \+497 more$/);
  });
});

describe('hostile and broken input', () => {
  const hostile: Sighting = { image: 'registry.example.com/app:1', namespace: 'default', kind: 'pod', id: 'default/evil\nallow:\n  - "**"\u00e9', admission: 'policy' };

  test('names with line breaks cannot inject policy lines', () => {
    const { text } = suggestPolicy([hostile], BASE_OPTIONS);
    expect(loadPolicy(text, 'suggested.yaml').allow.patterns.map((pattern) => pattern.source)).toEqual(['registry.example.com/app']);
    expect(text).toContain('# 1 pod: default/evil?allow:?  - "**"?');
  });

  test('an image that is no valid reference is reported, not allowed', () => {
    const broken: Sighting = { ...hostile, id: 'default/web', image: 'Registry.Example.com/App:1' };
    const suggestion = suggestPolicy([broken, { ...hostile, id: 'default/app' }], BASE_OPTIONS);
    expect(suggestion.invalid.map((item) => item.image)).toEqual(['Registry.Example.com/App:1']);
    expect(suggestion.entries.map((entry) => entry.pattern)).toEqual(['registry.example.com/app']);
  });

  test('grouping refuses a namespace an overlay cannot name', () => {
    expect(() => suggestPolicy([{ ...hostile, namespace: '' }], { ...BASE_OPTIONS, groupByNamespace: true })).toThrow(SuggestError);
  });

  test.each([
    { name: 'not an object', input: 'pods', error: /expected a List of pods \(kubectl get pods -A -o json\) or one Pod, got a string/ },
    { name: 'another kind', input: { kind: 'ConfigMap', data: {} }, error: /got kind "ConfigMap"/ },
    { name: 'items is not a list', input: { items: {} }, error: /not a pod list: items: / },
    { name: 'a container image is a number', input: { items: [{ metadata: { name: 'a', namespace: 'b' }, spec: { containers: [{ image: 5 }] } }] }, error: /not a pod list: items\[0\]\.spec\.containers\[0\]\.image: / },
  ])('pod dump: $name', ({ input, error }) => {
    expect(() => collectPodSightings(input)).toThrow(error);
  });

  test('one Pod (kubectl get pod NAME -o json) is read as a list of one', () => {
    const pod = { kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ image: 'nginx:1.27' }] } };
    expect(collectPodSightings(pod)).toEqual({ pods: 1, sightings: [{ image: 'nginx:1.27', namespace: 'shop', kind: 'pod', id: 'shop/web', admission: 'policy' }] });
  });
});

describe('what the policy never let run is not suggested as if it had', () => {
  // The decision log of a cluster with an audit sandbox and a break-glass namespace, written by the
  // real line writer from real decisions.
  const judged = buildPolicy({
    allow: ['registry.example.com/**'],
    deny: ['registry.example.com/bad/**'],
    namespaces: [
      { names: ['dev-*'], mode: 'audit' },
      { names: ['incident'], breakGlass: true },
    ],
  });
  const reviews: ReviewSubject[] = [
    { images: ['registry.example.com/app:1'], namespace: 'default', annotations: {} },
    { images: ['registry.example.com/app:1', 'evil.io/miner:1'], namespace: 'dev-sandbox', annotations: {} },
    { images: ['evil.io/backdoor:2'], namespace: 'incident', annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' } },
    { images: ['registry.example.com/bad/x:1'], namespace: 'default', annotations: {} },
  ];
  const log = reviews
    .map((review) => {
      const decision = evaluate(judged, review);
      return JSON.stringify({ message: 'review', ...buildDecisionLine(decision, review, labelDecision(decision), 1) });
    })
    .join('\n');
  const sightings = collectLogSightings(parseDecisionLog(log).records);

  test('break-glass and denied images are left out; an image the policy allowed inside an audit-deny review is an ordinary entry', () => {
    const suggestion = suggestPolicy(sightings, { ...BASE_OPTIONS, source: '--from-log decisions.log' });
    expect([...suggestion.leftOut].sort()).toEqual(['evil.io/backdoor:2', 'registry.example.com/bad/x:1']);
    expect(suggestion.entries.find((entry) => entry.pattern === 'registry.example.com/app')?.warnings).toEqual([]);
  });

  test('an image admitted only because its namespace audits is suggested with a WARNING naming the namespace', () => {
    const suggestion = suggestPolicy(sightings, { ...BASE_OPTIONS, source: '--from-log decisions.log' });
    const miner = suggestion.entries.find((entry) => entry.pattern === 'evil.io/miner');
    expect(miner?.warnings).toEqual([{ kind: 'audit-only', message: expect.stringMatching(/^admitted only because its namespace audits \(dev-sandbox\): the policy in force denies it/) }]);
    expect(suggestion.text).toMatch(/# WARNING: admitted only because its namespace audits \(dev-sandbox\)[^\n]*\n  - evil\.io\/miner  #/);
  });

  test('--include-denied brings break-glass images back, flagged', () => {
    const suggestion = suggestPolicy(sightings, { ...BASE_OPTIONS, source: '--from-log decisions.log', includeDenied: true });
    expect(suggestion.entries.find((entry) => entry.pattern === 'evil.io/backdoor')?.warnings.map((warning) => warning.kind)).toEqual(['never-admitted']);
  });

  test('a prefix that is a whole registry is flagged', () => {
    const suggestion = suggestPolicy(
      [{ image: 'quay.io/app:1', namespace: 'default', kind: 'pod', id: 'default/a', admission: 'policy' }],
      { ...BASE_OPTIONS, granularity: 'prefix' },
    );
    expect(suggestion.entries[0]).toMatchObject({ pattern: 'quay.io/**', warnings: [{ kind: 'whole-registry', message: expect.stringMatching(/^covers every repository on quay\.io/) }] });
  });
});
