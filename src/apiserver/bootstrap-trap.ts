// The bootstrap trap, written once: with a fail-closed admission configuration the webhook must
// be up, and allow what the cluster itself runs, before the plugin is enabled, or pods (the
// webhook's own included) cannot be created. The generated README carries this section; the
// project's README and deploy guide link to it instead of telling it again.
import { fence } from './readme-rollout';
import type { WebhookServerUrl } from './server-url';
import type { ImagePolicySettings } from './settings';

export const BOOTSTRAP_TRAP_HEADING = 'Before you start: the bootstrap trap';

export interface BootstrapTrapInput {
  readonly server: WebhookServerUrl;
  readonly settings: ImagePolicySettings;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
/** `serve --health-listen`'s default: readiness is answered on loopback, without certificates. */
const READINESS_URL = 'http://127.0.0.1:9090/readyz';

function describeConsequence(settings: ImagePolicySettings): string {
  const consequence = settings.defaultAllow
    ? 'With `defaultAllow: true` an unreachable webhook lets every pod in unchecked (see the warning above); ' +
      'a reachable webhook still denies whatever its policy does not allow.'
    : 'With `defaultAllow: false` (fail closed) **no pod can be created while the webhook is unreachable**, ' +
      'and none whose image the policy does not allow.';
  return `${consequence} The plugin has no namespace or object exemptions: kube-system, DaemonSets and even the ` +
    'mirror pods of static pods (kube-apiserver, etcd, ...) are reviewed.';
}

function describePlacement(server: WebhookServerUrl): string {
  return LOOPBACK_HOSTS.has(server.hostname)
    ? `The URL names \`${server.hostname}\`: kube-apiserver runs with the node's network (hostNetwork), so ` +
      '**every control-plane node needs its own webhook** listening there.'
    : `Every control-plane node must reach \`${server.hostname}\` from the host network, and the webhook's ` +
      'serving certificate must name it in a subject alternative name (Go ignores the common name).';
}

/** The section, as markdown: the consequence, what to do before enabling the plugin, and the check. */
export function buildBootstrapTrapSection(input: BootstrapTrapInput): string {
  return [
    `## ${BOOTSTRAP_TRAP_HEADING}`,
    describeConsequence(input.settings),
    [
      `- The webhook must be **running and healthy before** you enable the plugin: \`curl -fsS ${READINESS_URL}\` ` +
        `answers \`ok\` on every control-plane node. ${describePlacement(input.server)}`,
      '- The policy must allow **every image the cluster needs to run**, in the namespaces that run them: the ' +
        'control plane (`registry.k8s.io/**` in `kube-system`), CoreDNS, kube-proxy, the CNI and CSI ' +
        "drivers, ingress, monitoring, and **the webhook's own image** (in `kube-system` when it runs as a static " +
        "pod). `npx image-policy-webhook check --webhook-image IMAGE policy.yaml` warns when the policy would refuse " +
        "the control-plane images or the webhook's own; the loop below checks everything that runs now.",
      '- If the webhook runs **inside the cluster** (Deployment, DaemonSet), its own pods need the webhook ' +
        'to be admitted: once all its replicas are gone, it cannot come back. Run it beside kube-apiserver ' +
        'instead, as a static pod, a systemd service or with Docker Compose: the kubelet, systemd and Docker start ' +
        'it from files on the node whether or not the API admits its pods.',
      '- Every restart of the webhook is a short window in which pod creations on that node fail (controllers ' +
        'retry): upgrade one control-plane node at a time.',
      '- Locked out? On the node, fix the webhook or the policy (`systemctl status image-policy-webhook`, ' +
        '`docker-compose logs`, `crictl logs`). Last resort: remove `ImagePolicyWebhook` from ' +
        '`--enable-admission-plugins` in `/etc/kubernetes/manifests/kube-apiserver.yaml`; the kubelet restarts ' +
        'kube-apiserver without it.',
    ].join('\n'),
    'List what runs now and check every image against your policy before enabling anything ' +
      '(`evaluate` exits 1 for a denied image):',
    fence('sh', [
      'kubectl get pods -A -o jsonpath=\'{range .items[*]}{.metadata.namespace}{" "}' +
        '{.spec.initContainers[*].image}{" "}{.spec.containers[*].image}{"\\n"}{end}\' \\',
      '  | while read -r namespace images; do for image in $images; do echo "$namespace $image"; done; done \\',
      '  | sort -u > running-images.txt',
      'while read -r namespace image; do',
      '  npx image-policy-webhook evaluate --policy policy.yaml --namespace "$namespace" "$image" >/dev/null \\',
      '    || echo "DENIED: $namespace $image"',
      'done < running-images.txt',
    ].join('\n')),
  ].join('\n\n');
}
