// The bootstrap trap: with `defaultAllow: false`, a policy that refuses the control-plane images
// or the webhook's own image can keep a cluster from coming back after a restart. These images
// are judged through the real evaluate, in the namespace they run in.
import { type CompiledPolicy, type ImageVerdict, evaluate } from '../policy';

/** Where kubeadm runs the control plane, its static-pod mirrors, kube-proxy and CoreDNS. */
export const CONTROL_PLANE_NAMESPACE = 'kube-system';

/**
 * What kubeadm v1.33 runs as pods; a policy that pins other versions is told which tag was tried.
 * The pause (sandbox) image is left out on purpose: the container runtime pulls it from its own
 * configuration and it never appears in a pod spec, so kube-apiserver never asks about it.
 */
export const CONTROL_PLANE_IMAGES: readonly string[] = [
  'registry.k8s.io/kube-apiserver:v1.33.2',
  'registry.k8s.io/kube-controller-manager:v1.33.2',
  'registry.k8s.io/kube-scheduler:v1.33.2',
  'registry.k8s.io/kube-proxy:v1.33.2',
  'registry.k8s.io/etcd:3.5.21-0',
  'registry.k8s.io/coredns/coredns:v1.12.0',
];

export interface BootstrapOptions {
  /** Judge CONTROL_PLANE_IMAGES in CONTROL_PLANE_NAMESPACE. */
  readonly controlPlane: boolean;
  /** The images the webhook itself runs from, when it runs as a (static) pod. */
  readonly webhookImages: readonly string[];
  readonly webhookNamespace: string;
}

export interface BootstrapDenial {
  readonly role: 'control-plane' | 'webhook';
  readonly image: string;
  readonly namespace: string;
  readonly verdict: ImageVerdict;
}

function judge(policy: CompiledPolicy, image: string, namespace: string): ImageVerdict | undefined {
  const decision = evaluate(policy, { images: [image], namespace, annotations: {} });
  // Audit mode answers allowed: nothing is locked out, so there is nothing to warn about.
  return decision.allowed ? undefined : decision.images[0];
}

export function findBootstrapDenials(policy: CompiledPolicy, options: BootstrapOptions): BootstrapDenial[] {
  const subjects = [
    ...(options.controlPlane ? CONTROL_PLANE_IMAGES.map((image) => ({ role: 'control-plane' as const, image, namespace: CONTROL_PLANE_NAMESPACE })) : []),
    ...options.webhookImages.map((image) => ({ role: 'webhook' as const, image, namespace: options.webhookNamespace })),
  ];
  return subjects.flatMap((subject) => {
    const verdict = judge(policy, subject.image, subject.namespace);
    return verdict === undefined ? [] : [{ ...subject, verdict }];
  });
}

export function describeBootstrapDenial(denial: BootstrapDenial): string {
  const what = denial.role === 'webhook' ? "the webhook's own image" : 'the control-plane image';
  const consequence =
    denial.role === 'webhook'
      ? 'if the webhook runs as a pod it could never be admitted again after a restart, and with defaultAllow: false nothing else would be either'
      : 'its pods (static-pod mirrors, kube-proxy, CoreDNS) would be refused, and with defaultAllow: false a restart can lock the cluster out';
  return `bootstrap: refuses ${what} ${denial.image} in namespace ${denial.namespace} (${denial.verdict.rule}): ${consequence}`;
}
