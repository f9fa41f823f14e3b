// Properties of the policy engine over generated policies and reviews (fixed seed): deny beats
// allow, the decision ignores image order and duplicates, a review is allowed exactly when each
// image alone is, audit mode never denies, and break-glass works only where a policy enables it.
import fc from 'fast-check';
import { BREAK_GLASS_ANNOTATION, evaluate, loadPolicy, type CompiledPolicy, type Decision, type ImageVerdict, type ReviewSubject } from '../../src/policy';
import { imageStringArbitrary, propertyRuns } from './arbitraries';

const ALLOW_PATTERNS = [
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
const DENY_PATTERNS = ['**:latest', 'evil.io/**', 'registry.example.com/app:1.0', 'docker.io/**', 'quay.io/bad/*', 'localhost/**', '**/tools/*:dev'];
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
const NAMESPACES = ['default', 'kube-system', 'incident', 'dev-a', 'team-x'];
const NAMESPACE_GLOBS = ['dev-*', 'team-?', '*', 'kube-*'];
const NOT_TRUE = ['True', 'TRUE', 'yes', '1', ' true', 'true ', ''];

interface OverlayDocument {
  names: string[];
  allow?: string[];
  deny?: string[];
  mode?: 'enforce' | 'audit';
  requireDigest?: boolean;
  breakGlass?: boolean;
}

interface PolicyDocument {
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

const imageArbitrary = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN_IMAGES) }, { weight: 1, arbitrary: imageStringArbitrary });
const imagesArbitrary = fc.array(imageArbitrary, { maxLength: 6 });
const namespaceArbitrary = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMESPACES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
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

const exactNames = fc.subarray(NAMESPACES, { minLength: 1, maxLength: 2 });
const anyNames = fc.subarray([...NAMESPACES, ...NAMESPACE_GLOBS], { minLength: 1, maxLength: 2 });

function policyArbitrary(overrides: { mode?: fc.Arbitrary<'enforce' | 'audit'>; overlayNames?: fc.Arbitrary<string[]> } = {}): fc.Arbitrary<PolicyDocument> {
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

function judge(document: PolicyDocument, images: readonly string[], namespace: string, annotations: Record<string, string> = {}): Decision {
  return evaluate(compile(document), { images, namespace, annotations } satisfies ReviewSubject);
}

/** True when a deny pattern (global or an overlay's) decided the verdict. */
function deniedByDenyPattern(verdict: ImageVerdict): boolean {
  return !verdict.allowed && /(?:^|\.)deny\[\d+\] /.test(verdict.rule);
}

function withoutPolicyIdentity(decision: Decision): Omit<Decision, 'policy'> {
  const { policy: _policy, ...rest } = decision;
  return rest;
}

describe('evaluate over generated policies and reviews', () => {
  test('is total and deterministic, with one verdict per image in review order', () => {
    fc.assert(
      fc.property(policyArbitrary(), imagesArbitrary, namespaceArbitrary, (document, images, namespace) => {
        const first = judge(document, images, namespace);
        expect(judge(document, images, namespace)).toEqual(first);
        expect(first.images.map((verdict) => verdict.image)).toEqual(images);
        expect(first.enforcedAllowed).toBe(first.images.every((verdict) => verdict.allowed));
        if (!first.enforcedAllowed) expect(first.reason).toEqual(expect.any(String));
      }),
      propertyRuns(150),
    );
  });

  test('deny beats allow: allowing everything never lifts a deny-pattern verdict', () => {
    fc.assert(
      fc.property(policyArbitrary(), imagesArbitrary, namespaceArbitrary, (document, images, namespace) => {
        const allowEverything = { ...document, allow: [...document.allow, ...DENY_PATTERNS, '**'] };
        const original = judge(document, images, namespace).images;
        const widened = judge(allowEverything, images, namespace).images;
        original.forEach((verdict, index) => {
          const wide = widened[index]!;
          // Whether a deny pattern decides does not depend on the allow list at all.
          expect(deniedByDenyPattern(wide)).toBe(deniedByDenyPattern(verdict));
          if (deniedByDenyPattern(verdict)) expect(wide.allowed).toBe(false);
        });
      }),
      propertyRuns(150),
    );
  });

  test('the decision does not depend on image order or duplicates', () => {
    const reorderedArbitrary = fc
      .tuple(fc.array(imageArbitrary, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 4 }))
      .chain(([images, duplicateIndexes]) => {
        const withDuplicates = [...images, ...duplicateIndexes.map((index) => images[index % images.length]!)];
        return fc.tuple(fc.constant(images), fc.shuffledSubarray(withDuplicates, { minLength: withDuplicates.length }));
      });
    const verdictsByImage = (decision: Decision): Map<string, boolean> => new Map(decision.images.map((verdict) => [verdict.image, verdict.allowed]));
    fc.assert(
      fc.property(policyArbitrary(), reorderedArbitrary, namespaceArbitrary, (document, [images, reordered], namespace) => {
        const original = judge(document, images, namespace);
        const shuffled = judge(document, reordered, namespace);
        expect(shuffled.allowed).toBe(original.allowed);
        expect(shuffled.enforcedAllowed).toBe(original.enforcedAllowed);
        expect(verdictsByImage(shuffled)).toEqual(verdictsByImage(original));
      }),
      propertyRuns(150),
    );
  });

  test('a review is allowed exactly when each of its images alone is allowed', () => {
    fc.assert(
      fc.property(policyArbitrary(), imagesArbitrary, namespaceArbitrary, (document, images, namespace) => {
        const whole = judge(document, images, namespace);
        const each = images.map((image) => judge(document, [image], namespace));
        expect(whole.enforcedAllowed).toBe(each.every((decision) => decision.enforcedAllowed));
        // Without break-glass, the answer is the enforce answer unless the namespace audits.
        if (whole.mode === 'enforce') expect(whole.allowed).toBe(each.every((decision) => decision.allowed));
      }),
      propertyRuns(150),
    );
  });

  test('audit mode never denies, and records what enforce mode would have said', () => {
    fc.assert(
      fc.property(
        policyArbitrary({ mode: fc.constant('audit') }),
        imagesArbitrary,
        namespaceArbitrary,
        fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
        (document, images, namespace, annotations) => {
          const audited = judge(document, images, namespace, annotations);
          const enforcing = judge(
            { ...document, mode: 'enforce', namespaces: document.namespaces.map((overlay) => ({ ...overlay, mode: 'enforce' as const })) },
            images,
            namespace,
            annotations,
          );
          if (audited.mode === 'audit') expect(audited.allowed).toBe(true);
          expect(audited.enforcedAllowed).toBe(enforcing.enforcedAllowed);
          expect(audited.images).toEqual(enforcing.images);
        },
      ),
      propertyRuns(150),
    );
  });

  test('an overlay in audit mode never denies in the namespaces it names', () => {
    fc.assert(
      fc.property(policyArbitrary({ mode: fc.constant('enforce'), overlayNames: exactNames }), imagesArbitrary, fc.constantFrom(...NAMESPACES), (document, images, namespace) => {
        const auditHere = { ...document, namespaces: [...document.namespaces, { names: [namespace], mode: 'audit' as const }] };
        expect(judge(auditHere, images, namespace).allowed).toBe(true);
      }),
      propertyRuns(100),
    );
  });

  test('break-glass works only where enabled, and only for the exact value "true"', () => {
    fc.assert(
      fc.property(
        policyArbitrary({ mode: fc.constant('enforce'), overlayNames: exactNames }),
        imagesArbitrary,
        namespaceArbitrary,
        fc.constantFrom('true', ...NOT_TRUE),
        (document, images, namespace, value) => {
          // The oracle: the last overlay naming the namespace that sets breakGlass wins, else the global flag.
          const settings = document.namespaces.filter((overlay) => overlay.names.includes(namespace) && overlay.breakGlass !== undefined);
          const enabled = settings.length > 0 ? settings[settings.length - 1]!.breakGlass! : document.breakGlass;
          const plain = judge(document, images, namespace);
          const asked = judge(document, images, namespace, { [BREAK_GLASS_ANNOTATION]: value });
          const honoured = enabled && value === 'true';
          expect(asked.breakGlass).toBe(honoured);
          if (honoured) {
            expect(asked.allowed).toBe(true);
            expect(asked.enforcedAllowed).toBe(plain.enforcedAllowed);
          } else {
            expect(withoutPolicyIdentity(asked)).toEqual(withoutPolicyIdentity(plain));
          }
        },
      ),
      propertyRuns(150),
    );
  });

  test('break-glass never triggers in a policy that enables it nowhere, whatever the globs', () => {
    fc.assert(
      fc.property(policyArbitrary({ mode: fc.constant('enforce') }), imagesArbitrary, namespaceArbitrary, (generated, images, namespace) => {
        const document = { ...generated, breakGlass: false, namespaces: generated.namespaces.map((overlay) => ({ ...overlay, breakGlass: false })) };
        const asked = judge(document, images, namespace, { [BREAK_GLASS_ANNOTATION]: 'true' });
        expect(asked.breakGlass).toBe(false);
        expect(withoutPolicyIdentity(asked)).toEqual(withoutPolicyIdentity(judge(document, images, namespace)));
      }),
      propertyRuns(100),
    );
  });
});
