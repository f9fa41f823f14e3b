// deploy/static-pod/image-policy-webhook.yaml: what the kubelet needs to run the webhook beside
// kube-apiserver, and the hardening a control-plane pod must keep. The kubelet ignores unknown
// fields, so a misspelt key would silently drop a setting: the table reads every one back.
// (No offline schema check exists here: kubectl needs an API server even for --dry-run=client.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { PROJECT_ROOT, runBuiltCli } from '../../support/built-cli';
import { STATIC_POD, readDockerfile, readStaticPod } from './deployment-files';

const EXAMPLE_POLICY = path.join(PROJECT_ROOT, 'examples', 'policy.yaml');
const pod = readStaticPod();
const container = pod.spec.containers[0]!;

test('the manifest is one YAML document without syntax errors or duplicate keys', () => {
  const document = parseDocument(readFileSync(STATIC_POD, 'utf8'));
  expect(document.errors.map((error) => error.message)).toEqual([]);
});

test.each([
  { name: 'is a core/v1 Pod', got: () => [pod.apiVersion, pod.kind], want: ['v1', 'Pod'] },
  { name: 'lives in kube-system, beside the control plane', got: () => pod.metadata.namespace, want: 'kube-system' },
  { name: 'uses the host network (kube-apiserver dials 127.0.0.1)', got: () => pod.spec.hostNetwork, want: true },
  { name: 'has node-critical priority, as kubeadm sets it', got: () => [pod.spec.priorityClassName, pod.spec.priority], want: ['system-node-critical', 2000001000] },
  { name: 'has a single container', got: () => pod.spec.containers.length, want: 1 },
  { name: 'runs as non-root uid/gid 65532 with the runtime seccomp profile', got: () => pod.spec.securityContext, want: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } } },
  {
    name: 'container has a read-only root, no escalation, no capabilities',
    got: () => container.securityContext,
    want: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
  },
  { name: 'probes liveness on /healthz over the loopback health port', got: () => container.livenessProbe?.httpGet, want: { host: '127.0.0.1', port: 9090, path: '/healthz', scheme: 'HTTP' } },
  { name: 'probes readiness on /readyz over the loopback health port', got: () => container.readinessProbe?.httpGet, want: { host: '127.0.0.1', port: 9090, path: '/readyz', scheme: 'HTTP' } },
  { name: 'requests memory and CPU, caps memory', got: () => [Object.keys(container.resources?.requests ?? {}), Object.keys(container.resources?.limits ?? {})], want: [['cpu', 'memory'], ['memory']] },
  {
    name: 'mounts the node folder read-only',
    got: () => [container.volumeMounts, pod.spec.volumes],
    want: [
      [{ name: 'config', mountPath: '/etc/image-policy-webhook', readOnly: true }],
      [{ name: 'config', hostPath: { path: '/etc/image-policy-webhook', type: 'Directory' } }],
    ],
  },
])('the static pod $name', ({ got, want }) => {
  expect(got()).toEqual(want);
});

test('the container uses the image entrypoint and passes only arguments', () => {
  // `command` would replace ENTRYPOINT ["node", "/app/dist/main.js"]; args keep it.
  expect(['command' in container, container.args?.[0], readDockerfile().entrypoint]).toEqual([false, 'serve', ['node', '/app/dist/main.js']]);
});

test('the example policy admits the mirror pod of this static pod in kube-system', async () => {
  const result = await runBuiltCli(['evaluate', '--policy', EXAMPLE_POLICY, '--namespace', pod.metadata.namespace, container.image]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
});
