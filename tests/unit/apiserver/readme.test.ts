// The generated README: the exact flags and mount for the chosen node folder, the settings in words,
// the fail-open warning only when asked for, the bootstrap trap and the node-by-node rollout.
import { parse } from 'yaml';
import {
  buildApiserverReadme,
  normalizeWebhookServerUrl,
  validateImagePolicySettings,
  type ApiserverReadmeInput,
} from '../../../src/apiserver';

const BASE: ApiserverReadmeInput = {
  server: normalizeWebhookServerUrl('https://127.0.0.1:8443/imagepolicy'),
  settings: validateImagePolicySettings({}),
  nodeDir: '/etc/kubernetes/imagepolicy',
  outDir: 'apiserver-config',
  pkiDir: 'pki',
  credentials: 'node-paths',
  kubeadmApi: 'v1beta4',
};

function codeBlocks(markdown: string, language: string): string[] {
  const pattern = new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)\\n\\1\`\`\``, 'gm');
  return [...markdown.matchAll(pattern)].map((match) => (match[2] ?? '').replace(new RegExp(`^${match[1] ?? ''}`, 'gm'), ''));
}

test.each([
  { name: 'default node folder', nodeDir: '/etc/kubernetes/imagepolicy' },
  { name: 'custom node folder', nodeDir: '/srv/imagepolicy' },
  { name: 'trailing slash trimmed', nodeDir: '/srv/imagepolicy/' },
])('flags and mount name the node folder: $name', ({ nodeDir }) => {
  const readme = buildApiserverReadme({ ...BASE, nodeDir });
  const dir = nodeDir.replace(/\/$/, '');
  expect(readme).toContain('- --enable-admission-plugins=NodeRestriction,ImagePolicyWebhook');
  expect(readme).toContain(`- --admission-control-config-file=${dir}/admission-configuration.yaml`);
  expect(readme).toMatch(/\*\*append\*\* `,ImagePolicyWebhook`/);
  const manifest = codeBlocks(readme, 'yaml').map((block) => parse(block) as unknown).find(
    (block): block is { spec: { containers: { volumeMounts: unknown[] }[]; volumes: unknown[] } } =>
      typeof block === 'object' && block !== null && 'spec' in block,
  );
  expect(manifest?.spec.containers[0]?.volumeMounts).toEqual([{ name: 'imagepolicy', mountPath: dir, readOnly: true }]);
  expect(manifest?.spec.volumes).toEqual([{ name: 'imagepolicy', hostPath: { path: dir, type: 'DirectoryOrCreate' } }]);
});

test.each([
  { name: 'defaults', settings: {}, rows: ['| `allowTTL` | `300` |', '| `denyTTL` | `30` |', '| `retryBackoff` | `500` |', '| `defaultAllow` | `false` |'] },
  { name: 'disabled caches and backoff', settings: { allowTTL: -1, denyTTL: -1, retryBackoff: -1 }, rows: ['| `allowTTL` | `-1` | allowTTL -1: allow answers are not cached', '| `retryBackoff` | `-1` | retryBackoff -1: on a retryable failure'] },
])('settings table: $name', ({ settings, rows }) => {
  const readme = buildApiserverReadme({ ...BASE, settings: validateImagePolicySettings(settings) });
  for (const row of rows) expect(readme).toContain(row);
});

test.each([
  { name: 'fail closed: no warning, no pod while the webhook is down', defaultAllow: false, present: [/no pod can be created while the webhook is unreachable/], absent: [/\[!WARNING\]/, /FAILS OPEN/] },
  { name: 'fail open: loud warning at the top', defaultAllow: true, present: [/> \[!WARNING\]\n> \*\*`defaultAllow: true` — this configuration FAILS OPEN\.\*\*/, /failed-open/], absent: [/no pod can be created while/] },
])('$name', ({ defaultAllow, present, absent }) => {
  const readme = buildApiserverReadme({ ...BASE, settings: validateImagePolicySettings({ defaultAllow }) });
  for (const pattern of present) expect(readme).toMatch(pattern);
  for (const pattern of absent) expect(readme).not.toMatch(pattern);
  if (defaultAllow) expect(readme.indexOf('FAILS OPEN')).toBeLessThan(readme.indexOf('## Files'));
});

test.each([
  { name: 'node paths copy the certificates', credentials: 'node-paths' as const, present: ['sudo install -m 0600 pki/apiserver-client.key /etc/kubernetes/imagepolicy/', 'absolute paths in `/etc/kubernetes/imagepolicy`'], absent: ['never commit'] },
  { name: 'relative paths copy the certificates beside the kubeconfig', credentials: 'relative-paths' as const, present: ['sudo install -m 0644 pki/ca.crt pki/apiserver-client.crt /etc/kubernetes/imagepolicy/', 'relative to its own folder'], absent: ['never commit'] },
  { name: 'embedded: no certificate copy, secret kubeconfig', credentials: 'embedded' as const, present: ['sudo install -m 0600 apiserver-config/imagepolicy-kubeconfig.yaml /etc/kubernetes/imagepolicy/', 'never commit it'], absent: ['pki/ca.crt'] },
])('$name', ({ credentials, present, absent }) => {
  const readme = buildApiserverReadme({ ...BASE, credentials });
  for (const text of present) expect(readme).toContain(text);
  for (const text of absent) expect(readme).not.toContain(text);
});

test('folders with spaces are shell-quoted in the copy commands', () => {
  const readme = buildApiserverReadme({ ...BASE, outDir: '/tmp/my config', pkiDir: "/tmp/bob's pki" });
  expect(readme).toContain("sudo install -m 0644 '/tmp/my config/admission-configuration.yaml' /etc/kubernetes/imagepolicy/");
  expect(readme).toContain("sudo install -m 0600 '/tmp/bob'\\''s pki/apiserver-client.key' /etc/kubernetes/imagepolicy/");
});

test.each([
  { name: 'loopback URL: a webhook on every control-plane node', server: 'https://127.0.0.1:8443', text: 'every control-plane node needs its own webhook' },
  { name: 'remote URL: reachable and named in a SAN', server: 'https://webhook.example.com:8443', text: 'must reach `webhook.example.com` from the host network' },
])('$name', ({ server, text }) => {
  expect(buildApiserverReadme({ ...BASE, server: normalizeWebhookServerUrl(server) })).toContain(text);
});

test.each([
  { name: 'bootstrap trap: control-plane images must be allowed', text: 'control plane (`registry.k8s.io/**` in `kube-system`)' },
  { name: 'bootstrap trap: in-cluster webhook cannot come back', text: 'its own pods need the webhook' },
  { name: 'kubectl check through the generated kubeconfig', text: 'sudo kubectl --kubeconfig /etc/kubernetes/imagepolicy/imagepolicy-kubeconfig.yaml create --raw /imagepolicy -f /tmp/imagepolicy-review.json' },
  { name: 'backup outside the manifests folder', text: 'sudo cp /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.before-imagepolicy' },
  { name: 'readiness check', text: '`kubectl get --raw /readyz` prints `ok`' },
  { name: 'denied pod probe', text: 'kubectl run imagepolicy-probe --image=image-policy-probe.invalid/denied:1 --restart=Never --dry-run=server' },
  { name: 'one node at a time', text: 'Only then go to the next control-plane node' },
  { name: 'rollback restores the backup', text: 'sudo cp /etc/kubernetes/kube-apiserver.yaml.before-imagepolicy /etc/kubernetes/manifests/kube-apiserver.yaml' },
])('$name', ({ text }) => {
  expect(buildApiserverReadme(BASE)).toContain(text);
});

test('the check posts to the URL path the kubeconfig names', () => {
  const readme = buildApiserverReadme({ ...BASE, server: normalizeWebhookServerUrl('https://h:8443/review/') });
  expect(readme).toContain('create --raw /review -f');
});

test('the probe review in the README is a valid ImageReview', () => {
  const line = buildApiserverReadme(BASE).split('\n').find((entry) => entry.startsWith("echo '{"));
  const review = JSON.parse(line?.slice("echo '".length, line.indexOf("' >")) ?? '') as Record<string, unknown>;
  expect(review).toMatchObject({ apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview', spec: { namespace: 'kube-system' } });
});
