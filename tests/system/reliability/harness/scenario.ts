// The traffic and the two policy versions that fault-injection and soak runs use. Both versions
// agree on every request except one (`flip`), so a reload at any moment never makes a correct
// answer look wrong, while the policy hash in each answer shows which version judged it.
import type { LoadRequest } from './load';

export const SCENARIO_POLICY_A = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: reliability-a
allow:
  - registry.example.com/**
deny:
  - "**:latest"
`;

/** Version B also admits busybox:1.36 (the one request whose answer depends on the version). */
export const SCENARIO_POLICY_B = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: reliability-b
allow:
  - registry.example.com/**
  - docker.io/library/busybox:1.36
deny:
  - "**:latest"
`;

/** Version B admits it, version A denies it. */
export const FLIP_IMAGE = 'busybox:1.36';

export function buildReview(images: readonly string[], namespace = 'default'): string {
  // Byte for byte the shape kube-apiserver (1.34+) writes, trailing newline included.
  return `${JSON.stringify({
    kind: 'ImageReview',
    apiVersion: 'imagepolicy.k8s.io/v1alpha1',
    metadata: {},
    spec: { containers: images.map((image) => ({ image })), namespace },
    status: { allowed: false },
  })}\n`;
}

const DIGEST = `sha256:${'f1389a47827ecf7477b6114a8e8991559e1c0563b6abffafee67250024345e7d'}`;

export const SCENARIO_REQUESTS: readonly LoadRequest[] = [
  { name: 'allowed', body: buildReview(['registry.example.com/web/frontend:1.4.2']), expect: 'allow' },
  { name: 'denied host', body: buildReview(['evil.example/web/frontend:1.4.2']), expect: 'deny' },
  { name: 'denied :latest', body: buildReview(['registry.example.com/web/frontend']), expect: 'deny' },
  { name: 'digest pinned', body: buildReview([`registry.example.com/payments/ledger@${DIGEST}`]), expect: 'allow' },
  { name: 'host prefix trap', body: buildReview(['registry.example.com.mirror.example.net/app:1.0']), expect: 'deny' },
  { name: 'init containers, one bad', body: buildReview(['registry.example.com/shop/api:2.0.0', 'registry.example.com/shop/migrate:2.0.0', 'evil.example/x:1']), expect: 'deny' },
  { name: 'invalid reference', body: buildReview(['Registry.Example.com/App Name:1']), expect: 'deny' },
  { name: 'depends on the policy version', body: buildReview([FLIP_IMAGE]), expect: 'either' },
];
