// lintPolicy, one named row per warning class (and rows that must stay quiet), located at the
// line and column of the entry at fault.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTROL_PLANE_IMAGES, type LintOptions, type PolicyWarning, formatPolicyWarning, lintPolicy } from '../../../src/lint';
import { loadPolicy } from '../../../src/policy';
import { PROJECT_ROOT } from '../../support/paths';

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: lint\n';
/** Lines before the body: entries in a body start on line 5. */
const PATTERNS_ONLY: LintOptions = { controlPlane: false, webhookImages: [], webhookNamespace: 'kube-system' };

function lint(body: string, options: LintOptions = PATTERNS_ONLY): PolicyWarning[] {
  const text = HEADER + body;
  return lintPolicy(loadPolicy(text, 'policy.yaml'), text, options);
}

function summarize(warnings: readonly PolicyWarning[]): string[] {
  return warnings.map((warning) => `${warning.line}:${warning.column} ${warning.path} ${warning.rule}`);
}

describe('pattern warnings', () => {
  test.each([
    { name: 'glob glued to an organisation', body: 'allow:\n  - gcr.io/org*\n', want: ['6:5 allow[0] glued-glob'], message: /"org\*" glues "\*" to text, so it also matches "orgevil"; for what is under "org" write "org\/\*\*"/ },
    { name: 'glob glued to an official image', body: 'allow:\n  - docker.io/library/nginx*\n', want: ['6:5 allow[0] glued-glob'], message: /"nginxevil"/ },
    { name: 'glob glued inside a host label', body: 'allow:\n  - gcr*.io/app\n', want: ['6:5 allow[0] glued-glob'], message: /"gcr\*"/ },
    { name: 'glob glued in a deny entry', body: 'deny:\n  - quay.io/team*/**\n', want: ['6:5 deny[0] glued-glob'], message: /"team\*"/ },
    { name: '** as the registry of an allow entry', body: 'allow:\n  - "**/nginx"\n', want: ['6:5 allow[0] registry-globstar'], message: /every registry/ },
    { name: 'dotless registry-like namespace', body: 'allow:\n  - internal/app\n', want: ['6:5 allow[0] host-like-namespace'], message: /"internal" has no "\." or ":", so it is a Docker Hub namespace: this means docker.io\/internal\/app/ },
    { name: 'registry-like namespace with a number', body: 'allow:\n  - harbor-01/team/app\n', want: ['6:5 allow[0] host-like-namespace'], message: /docker.io\/harbor-01\/team\/app/ },
    { name: 'index.docker.io', body: 'allow:\n  - index.docker.io/library/nginx\n', want: ['6:5 allow[0] surprising-normalization'], message: /reads as docker.io\/library\/nginx: registry "index.docker.io" is "docker.io"/ },
    { name: 'docker.io with a one-component path', body: 'allow:\n  - docker.io/nginx\n', want: ['6:5 allow[0] surprising-normalization'], message: /reads as docker.io\/library\/nginx: a one-component Docker Hub path gets "library\/"$/ },
    { name: 'docker.io/* is official images only', body: 'allow:\n  - docker.io/*\n', want: ['6:5 allow[0] surprising-normalization'], message: /official images only/ },
    { name: 'a bare * is official images only', body: 'allow:\n  - "*"\n', want: ['6:5 allow[0] surprising-normalization'], message: /reads as docker.io\/library\/\*/ },
    { name: 'upper-case registry host', body: 'allow:\n  - GCR.IO/app\n', want: ['6:5 allow[0] surprising-normalization'], message: /registry "GCR.IO" is "gcr.io"/ },
    { name: 'allow fully shadowed by a deny', body: 'allow:\n  - nginx:latest\ndeny:\n  - "**:latest"\n', want: ['6:5 allow[0] shadowed-allow'], message: /never admits an image: everything it matches is denied by deny\[0\] "\*\*:latest"/ },
    { name: 'allow under a denied registry', body: 'allow:\n  - registry.example.com/team/*\ndeny:\n  - registry.example.com/**\n', want: ['6:5 allow[0] shadowed-allow'], message: /deny\[0\]/ },
    { name: 'a portless deny covers every port', body: 'allow:\n  - registry.example.com:5000/app\ndeny:\n  - registry.example.com/app\n', want: ['6:5 allow[0] shadowed-allow'], message: /deny\[0\]/ },
    { name: 'an overlay allow shadowed by a global deny', body: 'deny:\n  - evil.example/**\nnamespaces:\n  - names: [dev]\n    allow: [evil.example/tools/*]\n', want: ['9:13 namespaces[0].allow[0] shadowed-allow'], message: /deny\[0\]/ },
    { name: 'a digest allow under a digest deny', body: `allow:\n  - "a.io/x@sha256:${'a'.repeat(64)}"\ndeny:\n  - "a.io/**@sha256:${'a'.repeat(64)}"\n`, want: ['6:5 allow[0] shadowed-allow'], message: /deny\[0\]/ },
    { name: 'duplicate written differently', body: 'allow:\n  - nginx\n  - docker.io/library/nginx\n', want: ['7:5 allow[1] duplicate-pattern'], message: /duplicates allow\[0\] "nginx" \(both read as docker.io\/library\/nginx\): one of them can go/ },
    { name: 'an overlay repeating a global entry', body: 'allow:\n  - quay.io/app\nnamespaces:\n  - names: [dev]\n    allow:\n      - quay.io/app\n', want: ['10:9 namespaces[0].allow[0] duplicate-pattern'], message: /the global entry already applies in every namespace/ },
    { name: 'several warnings on one entry', body: 'allow:\n  - "**/internal*"\n', want: ['6:5 allow[0] glued-glob', '6:5 allow[0] registry-globstar'], message: /glues/ },
    { name: 'a deny host glob skips the apex domain', body: 'deny:\n  - "*.evil.io/**"\n', want: ['6:5 deny[0] deny-apex-not-covered'], message: /"\*\.evil\.io" matches hosts under evil\.io, not evil\.io itself: add "evil\.io\/\*\*" to deny it too/ },
    { name: 'a deny host glob with a port skips the apex on that port', body: 'deny:\n  - "*.evil.io:5000/team/*"\n', want: ['6:5 deny[0] deny-apex-not-covered', '6:5 deny[0] deny-one-spelling'], message: /add "evil\.io:5000\/team\/\*"/ },
    { name: 'a deny on a tag is escaped by adding a digest', body: 'deny:\n  - registry.example.com/app:1.0\n', want: ['6:5 deny[0] deny-tag-escaped-by-digest'], message: /"registry\.example\.com\/app:1\.0@sha256:\.\.\." is not denied; deny the digest .* or the whole repository \("registry\.example\.com\/app"\)/ },
    { name: 'a deny on a tag glob is escaped by adding a digest', body: 'deny:\n  - "quay.io/team/*:dev-*"\n', want: ['6:5 deny[0] deny-tag-escaped-by-digest'], message: /quay\.io\/team\/\*:dev-\*@sha256/ },
    { name: 'a deny on a loopback registry names one spelling', body: 'deny:\n  - localhost:5000/**\n', want: ['6:5 deny[0] deny-one-spelling'], message: /also answers as localhost, any 127\.0\.0\.0\/8 address and \[::1\]: deny each spelling \("localhost:5000\/\*\*", "127\.\*\.\*\.\*:5000\/\*\*", "\[::1\]:5000\/\*\*"\)/ },
    { name: 'a deny on 127.0.0.1 names one spelling', body: 'deny:\n  - 127.0.0.1/app\n', want: ['6:5 deny[0] deny-one-spelling'], message: /"localhost\/app"/ },
    { name: 'a deny with a port covers that port only', body: 'allow:\n  - registry.example.com/app\ndeny:\n  - registry.example.com:5000/app\n', want: ['8:5 deny[0] deny-one-spelling'], message: /names port 5000 only, so the same host without a port or on another port is not denied; "registry\.example\.com\/app" \(no port\) denies it on every port/ },
    { name: 'a deny on port 443 leaves the same HTTPS endpoint without a port', body: 'deny:\n  - registry.example.com:443/bad/**\n', want: ['6:5 deny[0] deny-one-spelling'], message: /\(registry\.example\.com without a port is the same HTTPS endpoint\); "registry\.example\.com\/bad\/\*\*"/ },
  ])('$name', ({ body, want, message }) => {
    const warnings = lint(body);
    expect(summarize(warnings)).toEqual(want);
    expect(warnings[0]?.message).toMatch(message);
    // Every suggested fix is itself a pattern the loader accepts.
    for (const fix of warnings.flatMap((warning) => warning.fixes ?? [])) expect(() => loadPolicy(`${HEADER}deny:\n  - ${JSON.stringify(fix)}\n`, 'fix.yaml')).not.toThrow();
  });

  test.each([
    { name: 'plain Docker Hub names', body: 'allow:\n  - nginx\n  - grafana/grafana:11.*\n  - calico/*\n  - kubernetesui/dashboard\n' },
    { name: 'whole-component globs', body: 'allow:\n  - registry.example.com/**\n  - quay.io/prometheus/*\n  - "*.example.com/app"\n' },
    { name: 'tag globs are meant', body: 'allow:\n  - registry.k8s.io/pause:3.*\n' },
    { name: '**:latest in deny is the idiom', body: 'allow:\n  - registry.k8s.io/**\ndeny:\n  - "**:latest"\n' },
    { name: 'a deny that covers only some of an allow', body: 'allow:\n  - nginx\n  - registry.example.com/**\ndeny:\n  - "**:latest"\n  - registry.example.com/team/*\n' },
    { name: 'a deny over the whole of a host glob and its apex', body: 'deny:\n  - "*.evil.io/**"\n  - evil.io/**\n' },
    { name: 'a deny on a digest', body: `deny:\n  - "registry.example.com/app@sha256:${'a'.repeat(64)}"\n` },
    { name: 'an overlay deny leaves the global allow alone', body: 'allow:\n  - quay.io/app\nnamespaces:\n  - names: [locked]\n    deny: [quay.io/app]\n' },
    { name: 'the same entry in two overlays', body: 'namespaces:\n  - names: [a]\n    allow: [quay.io/app]\n  - names: [b]\n    allow: [quay.io/app]\n' },
    { name: 'a real registry host', body: 'allow:\n  - registry.internal.example.com/app\n  - localhost:5000/app\n' },
  ])('quiet: $name', ({ body }) => {
    expect(lint(body)).toEqual([]);
  });
});

describe('bootstrap warnings', () => {
  const ALL = { controlPlane: true, webhookImages: [], webhookNamespace: 'kube-system' };
  const WEBHOOK = 'registry.example.com/platform/image-policy-webhook:0.1.0';

  test('a policy that allows nothing refuses every control-plane image, located at allow', () => {
    const warnings = lint('allow:\n  - quay.io/app\n', ALL);
    expect(summarize(warnings)).toEqual(CONTROL_PLANE_IMAGES.map(() => '5:1 allow bootstrap-denied'));
    expect(warnings.map((warning) => warning.message)).toEqual(
      CONTROL_PLANE_IMAGES.map((image) => expect.stringContaining(`refuses the control-plane image ${image} in namespace kube-system (no allow pattern matches)`)),
    );
  });

  test.each([
    { name: 'a deny entry refuses etcd', body: 'allow: [registry.k8s.io/**]\ndeny:\n  - registry.k8s.io/etcd\n', options: ALL, want: ['7:5 deny[0] bootstrap-denied'] },
    {
      name: 'the deciding deny entry is told from one whose origin it extends',
      body: `allow: [registry.k8s.io/**]\ndeny:\n${Array.from({ length: 10 }, (_, index) => `  - quay.io/app-${index}\n`).join('')}  - registry.k8s.io/etcd\n`,
      options: ALL,
      want: ['17:5 deny[10] bootstrap-denied'],
    },
    { name: 'an overlay deny entry refuses etcd in kube-system', body: 'allow: [registry.k8s.io/**]\nnamespaces:\n  - names: [kube-system]\n    deny: [registry.k8s.io/etcd]\n', options: ALL, want: ['8:12 namespaces[0].deny[0] bootstrap-denied'] },
    { name: 'requireDigest refuses tagged images', body: 'allow: [registry.k8s.io/**]\nrequireDigest: true\n', options: ALL, want: CONTROL_PLANE_IMAGES.map(() => '6:1 requireDigest bootstrap-denied') },
    { name: 'an overlay requireDigest for kube-system', body: 'allow: [registry.k8s.io/**]\nnamespaces:\n  - names: [kube-*]\n    requireDigest: true\n', options: ALL, want: CONTROL_PLANE_IMAGES.map(() => '8:5 namespaces[0].requireDigest bootstrap-denied') },
    { name: 'a policy that allows the control plane', body: 'allow: [registry.k8s.io/**]\n', options: ALL, want: [] },
    { name: 'an overlay that allows it in kube-system', body: 'namespaces:\n  - names: [kube-system]\n    allow: [registry.k8s.io/**]\n', options: ALL, want: [] },
    { name: 'audit mode locks nothing out', body: 'mode: audit\nallow: [quay.io/app]\n', options: ALL, want: [] },
    { name: 'the webhook image refused', body: 'allow: [registry.k8s.io/**]\n', options: { ...ALL, webhookImages: [WEBHOOK] }, want: ['5:1 allow bootstrap-denied'] },
    { name: 'the webhook image allowed', body: 'allow: [registry.k8s.io/**, registry.example.com/platform/**]\n', options: { ...ALL, webhookImages: [WEBHOOK] }, want: [] },
    { name: 'the webhook in its own namespace', body: 'allow: [registry.k8s.io/**]\nnamespaces:\n  - names: [image-policy]\n    allow: [registry.example.com/platform/**]\n', options: { ...ALL, webhookImages: [WEBHOOK], webhookNamespace: 'image-policy' }, want: [] },
    { name: 'control plane check off', body: 'allow: [quay.io/app]\n', options: PATTERNS_ONLY, want: [] },
  ])('$name', ({ body, options, want }) => {
    expect(summarize(lint(body, options))).toEqual(want);
  });

  test("the webhook's own image is named as such", () => {
    const [warning] = lint('allow: [registry.k8s.io/**]\n', { ...ALL, webhookImages: [WEBHOOK] });
    expect(warning?.message).toMatch(/^bootstrap: refuses the webhook's own image registry.example.com\/platform\/image-policy-webhook:0.1.0 in namespace kube-system/);
  });
});

describe('the shipped example policy', () => {
  test('is clean, bootstrap included', () => {
    const file = path.join(PROJECT_ROOT, 'examples', 'policy.yaml');
    const text = readFileSync(file, 'utf8');
    const options = { controlPlane: true, webhookImages: ['registry.example.com/platform/image-policy-webhook:0.1.0'], webhookNamespace: 'kube-system' };
    expect(lintPolicy(loadPolicy(text, 'examples/policy.yaml'), text, options)).toEqual([]);
  });
});

test('warnings print like compiler warnings, with the rule last', () => {
  const [warning] = lint('allow:\n  - gcr.io/org*\n');
  expect(warning && formatPolicyWarning(warning)).toMatch(/^policy\.yaml:6:5: warning: allow\[0\]: "org\*" glues .* \[glued-glob\]$/);
});
