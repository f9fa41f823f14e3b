// Generated policies and reviews for the policy-engine properties: patterns, images and
// namespaces drawn from small universes (so allow, deny and overlay matches are frequent), plus
// arbitrary image strings; each document goes through loadPolicy exactly as a policy file would.
import fc from 'fast-check';
import { evaluate, loadPolicy, type CompiledPolicy, type Decision, type ImageVerdict, type ReviewSubject } from '../../../src/policy';
import { imageStringArbitrary } from '../../support/arbitraries';

export const ALLOW_PATTERNS = [
  'registry.example.com/**',
  'registry.example.com/app',
  'registry.example.com/app:1.*',
  'registry.example.com/*/api',
  'docker.io/library/*',
  'nginx',
  'nginx:1.25',
  'grafana/grafana',
  'quay.io/**',
  'registry.k8s.io/pause',
  'localhost:5000/**',
  '**/tools/*',
  'evil.io/**',
  '**',
];
export const DENY_PATTERNS = ['**:latest', 'evil.io/**', 'registry.example.com/app:1.0', 'docker.io/**', 'quay.io/bad/*', 'localhost/**', '**/tools/*:dev'];
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const KNOWN_IMAGES = [
  'nginx',
  'nginx:1.25',
  'nginx:latest',
  `nginx@${DIGEST}`,
  'registry.example.com/app',
  'registry.example.com/app:1.0',
  'registry.example.com/app:1.2',
  `registry.example.com/app@${DIGEST}`,
  'registry.example.com/team/api:2',
  'registry.example.com.evil.io/app:1',
  'registry.example.com:5000/app:1',
  'REGISTRY.EXAMPLE.COM/app:1.2',
  'evil.io/x:1',
  'quay.io/bad/x:1',
  'quay.io/good/x:1',
  'localhost:5000/x:1',
  'localhost/x:1',
  'grafana/grafana:11.0',
  'grafana/grafana-evil:1',
  'docker.io/library/busybox:1.36',
  'registry.k8s.io/pause:3.9',
  'x.io/tools/t:1',
  'x.io/tools/t:dev',
  '',
  'NGINX',
  'nginx :1',
];
export const NAMESPACES = ['default', 'kube-system', 'incident', 'dev-a', 'team-x'];
const NAMESPACE_GLOBS = ['dev-*', 'team-?', '*', 'kube-*'];
export const NOT_TRUE = ['True', 'TRUE', 'yes', '1', ' true', 'true ', ''];

interface OverlayDocument {
  names: string[];
  allow?: string[];
  deny?: string[];
  mode?: 'enforce' | 'audit';
  requireDigest?: boolean;
  breakGlass?: boolean;
}

export interface PolicyDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  mode: 'enforce' | 'audit';
  allow: string[];
  deny: string[];
  requireDigest: boolean;
  breakGlass: boolean;
  namespaces: OverlayDocument[];
}

export const imageArbitrary = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN_IMAGES) }, { weight: 1, arbitrary: imageStringArbitrary });
export const imagesArbitrary = fc.array(imageArbitrary, { maxLength: 6 });
export const namespaceArbitrary = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMESPACES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const modeArbitrary = fc.constantFrom<'enforce' | 'audit'>('enforce', 'audit');

function overlayArbitrary(names: fc.Arbitrary<string[]>): fc.Arbitrary<OverlayDocument> {
  return fc.record(
    {
      names,
      allow: fc.subarray(ALLOW_PATTERNS, { maxLength: 3 }),
      deny: fc.subarray(DENY_PATTERNS, { maxLength: 2 }),
      mode: modeArbitrary,
      requireDigest: fc.boolean(),
      breakGlass: fc.boolean(),
    },
    { requiredKeys: ['names'] },
  );
}

export const exactNames = fc.subarray(NAMESPACES, { minLength: 1, maxLength: 2 });
const anyNames = fc.subarray([...NAMESPACES, ...NAMESPACE_GLOBS], { minLength: 1, maxLength: 2 });

export function policyArbitrary(overrides: { mode?: fc.Arbitrary<'enforce' | 'audit'>; overlayNames?: fc.Arbitrary<string[]> } = {}): fc.Arbitrary<PolicyDocument> {
  return fc.record({
    apiVersion: fc.constant('image-policy-webhook/v1'),
    kind: fc.constant('ImagePolicy'),
    metadata: fc.constant({ name: 'generated' }),
    mode: overrides.mode ?? fc.oneof({ weight: 3, arbitrary: fc.constant<'enforce'>('enforce') }, { weight: 1, arbitrary: fc.constant<'audit'>('audit') }),
    allow: fc.subarray(ALLOW_PATTERNS, { maxLength: 5 }),
    deny: fc.subarray(DENY_PATTERNS, { maxLength: 3 }),
    requireDigest: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    breakGlass: fc.boolean(),
    namespaces: fc.array(overlayArbitrary(overrides.overlayNames ?? anyNames), { maxLength: 3 }),
  });
}

const compiled = new Map<string, CompiledPolicy>();

/** JSON is YAML: the document goes through loadPolicy exactly as a policy file would. */
function compile(document: PolicyDocument): CompiledPolicy {
  const text = JSON.stringify(document);
  let policy = compiled.get(text);
  if (policy === undefined) {
    policy = loadPolicy(text, 'generated.yaml');
    compiled.set(text, policy);
  }
  return policy;
}

export function judge(document: PolicyDocument, images: readonly string[], namespace: string, annotations: Record<string, string> = {}): Decision {
  return evaluate(compile(document), { images, namespace, annotations } satisfies ReviewSubject);
}

/** True when a deny pattern (global or an overlay's) decided the verdict. */
export function deniedByDenyPattern(verdict: ImageVerdict): boolean {
  return !verdict.allowed && /(?:^|\.)deny\[\d+\] /.test(verdict.rule);
}

export function withoutPolicyIdentity(decision: Decision): Omit<Decision, 'policy'> {
  const { policy: _policy, ...rest } = decision;
  return rest;
}
