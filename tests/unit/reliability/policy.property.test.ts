// Properties of the policy engine over generated policies and reviews (fixed seed): deny beats
// allow, the decision ignores image order and duplicates, a review is allowed exactly when each
// image alone is, audit mode never denies, and break-glass works only where a policy enables it.
import fc from 'fast-check';
import { BREAK_GLASS_ANNOTATION, type Decision } from '../../../src/policy';
import { propertyRuns } from '../../support/arbitraries';
import {
  DENY_PATTERNS,
  NAMESPACES,
  NOT_TRUE,
  deniedByDenyPattern,
  exactNames,
  imageArbitrary,
  imagesArbitrary,
  judge,
  namespaceArbitrary,
  policyArbitrary,
  withoutPolicyIdentity,
} from './policy-arbitraries';

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
