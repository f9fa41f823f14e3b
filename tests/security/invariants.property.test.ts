// The invariants every feature must keep, checked over generated policies that turn on every
// feature at once and generated images in every spelling the grammar accepts (fixed seed):
// totality, resolution never more permissive, spelling irrelevant, monotone in deny / allow /
// requireDigest / requireReport / maxSeverity / signature rules, tag plus digest no looser than
// the digest alone, scan gating vouched for only by a report naming the digest, and a covered
// image admitted only with a signature of the digest the runtime pulls by a key its rules name.
import fc from 'fast-check';
import { type Decision, type EvaluationContext, type ImageVerdict, collectSignatureRules, evaluate, formatDigestReference, planSignatureCheck } from '../../src/policy';
import { parseImageReference } from '../../src/reference';
import { REQUIRE_REPORT_RULE, SEVERITIES, type Severity } from '../../src/vulnerabilities';
import {
  DENY_PATTERNS,
  DIGESTS,
  NAMESPACES,
  type PolicyDocument,
  REFUSED_SPELLINGS,
  REGISTRY_SPELLINGS,
  REPOSITORIES,
  RESOLVABLE_REGISTRIES,
  buildContext,
  compile,
  findSignatureAnswer,
  imagePartsArbitrary,
  imagesArbitrary,
  normalize,
  policyArbitrary,
  runs,
  signatureRuleArbitrary,
  spell,
  withSignatureRule,
  withoutSignatures,
  worldArbitrary,
} from './arbitraries';

const namespaceArbitrary = fc.constantFrom(...NAMESPACES);
/** The fault the in-memory registry gives for a lookup the webhook's own limits stopped. */
const LIMITED_FAULT = 'lookup queue is full';
const annotationsArbitrary = fc.constantFrom<Record<string, string>>({}, { 'alpha.image-policy.k8s.io/break-glass': 'true' });

function judge(document: PolicyDocument, images: readonly string[], namespace: string, context: EvaluationContext, annotations: Record<string, string> = {}): Decision {
  return evaluate(compile(document), { images, namespace, annotations }, context);
}

function judgeOne(document: PolicyDocument, image: string, namespace: string, context: EvaluationContext): ImageVerdict {
  const verdict = judge(document, [image], namespace, context).images[0];
  if (verdict === undefined) throw new Error(`no verdict for ${image}`);
  return verdict;
}

/** What decides an image, without the parts that echo how it was written. */
function outcome(verdict: ImageVerdict): Pick<ImageVerdict, 'allowed' | 'rule' | 'digest' | 'report' | 'resolveError' | 'signature'> {
  const { allowed, rule, digest, report, resolveError, signature } = verdict;
  return { allowed, rule, digest, report, resolveError, signature };
}

function isDenyRule(rule: string): boolean {
  return /(?:^|\.)deny\[\d+\] /.test(rule);
}

function isFindingRule(rule: string): boolean {
  return rule.includes('.maxSeverity ');
}

/** The same policy resolving every registry of the universe, judging a failed lookup as written. */
function lenientResolution(document: PolicyDocument): PolicyDocument {
  return { ...document, resolveTags: { registries: RESOLVABLE_REGISTRIES, onError: 'allow-with-audit', maxTagsPerReview: document.resolveTags?.maxTagsPerReview ?? 4 } };
}

/** Without resolveTags, and so without the signature rules that fetch through it. */
function withoutResolution(document: PolicyDocument): PolicyDocument {
  const { resolveTags: _resolveTags, ...rest } = withoutSignatures(document);
  return rest;
}

describe('totality', () => {
  test('every loaded policy judges every review: one verdict per image, never a throw', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, annotationsArbitrary, (document, world, images, namespace, annotations) => {
        const decision = judge(document, images, namespace, buildContext(world), annotations);
        expect(decision.images.map((verdict) => verdict.image)).toEqual(images);
        expect(decision.enforcedAllowed).toBe(decision.images.every((verdict) => verdict.allowed));
        if (!decision.enforcedAllowed) expect(decision.reason).toEqual(expect.any(String));
      }),
      runs(400),
    );
  });
});

describe('resolution is never more permissive', () => {
  const tagImageArbitrary = imagePartsArbitrary.map((parts) => ({ ...parts, digest: undefined, tag: parts.tag ?? 'latest' }));

  test('a tag that resolves to D is refused whenever name@D is refused by a deny entry or a scan finding', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, tagImageArbitrary, namespaceArbitrary, (document, world, parts, namespace) => {
        const context = buildContext(world);
        const tagged = judgeOne(document, spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!), namespace, context);
        if (tagged.digest === undefined) return;
        const pinned = judgeOne(document, spell({ ...parts, tag: undefined, digest: tagged.digest }, REGISTRY_SPELLINGS[parts.group]![0]!), namespace, context);
        if (isDenyRule(pinned.rule) || isFindingRule(pinned.rule)) expect(tagged.allowed).toBe(false);
      }),
      runs(400),
    );
  });

  test('a resolved tag is admitted only if the tag alone is, except that a report naming its digest meets requireReport', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, tagImageArbitrary, namespaceArbitrary, (document, world, parts, namespace) => {
        const context = buildContext(world);
        const image = spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!);
        const resolved = judgeOne(document, image, namespace, context);
        const alone = judgeOne(withoutResolution(document), image, namespace, context);
        if (!resolved.allowed || alone.allowed) return;
        expect(alone.rule).toMatch(REQUIRE_REPORT_RULE);
        expect(resolved.report).toEqual(expect.any(String));
        expect(resolved.digest).toEqual(expect.any(String));
      }),
      runs(400),
    );
  });

  test('a lookup the webhook itself cut short is a denial, even with onError allow-with-audit', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, tagImageArbitrary, namespaceArbitrary, (document, world, parts, namespace) => {
        const verdict = judgeOne(lenientResolution(document), spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!), namespace, buildContext(world));
        if (verdict.resolveError === LIMITED_FAULT) expect(verdict.allowed).toBe(false);
      }),
      runs(400),
    );
  });

  test('a review naming more distinct tags than maxTagsPerReview has every one of them denied, even with onError allow-with-audit', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, fc.array(tagImageArbitrary, { minLength: 2, maxLength: 6 }), namespaceArbitrary, (document, world, partsList, namespace) => {
        const lenient = lenientResolution(document);
        const images = partsList.map((parts) => spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!));
        const resolvable = new Set(compile(lenient).resolveTags?.registries);
        const isResolved = (image: string): boolean => resolvable.has(parseImageReference(image).registry);
        const distinct = new Set(images.filter(isResolved).map(normalize)).size;
        const decision = judge(lenient, images, namespace, buildContext(world));
        if (distinct <= (lenient.resolveTags?.maxTagsPerReview ?? 0)) return;
        decision.images.forEach((verdict, index) => {
          if (!isResolved(images[index]!)) return;
          expect(verdict.allowed).toBe(false);
          // A deny entry is judged before any lookup, so it may be what the verdict names.
          if (!isDenyRule(verdict.rule)) expect(verdict.rule).toMatch(/maxTagsPerReview/);
        });
      }),
      runs(300),
    );
  });

  test('with onError allow-with-audit, a failed lookup judges the tag exactly as without resolution', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, tagImageArbitrary, namespaceArbitrary, (document, world, parts, namespace) => {
        // Signature rules need a digest, which a failed lookup does not give: they are the subject of their own properties.
        const lenient = lenientResolution(withoutSignatures(document));
        const context = buildContext(world);
        const image = spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!);
        const verdict = judgeOne(lenient, image, namespace, context);
        if (verdict.resolveError === undefined || verdict.resolveError === LIMITED_FAULT) return;
        expect(outcome({ ...verdict, resolveError: undefined })).toEqual(outcome(judgeOne(withoutResolution(document), image, namespace, context)));
      }),
      runs(300),
    );
  });
});

describe('spelling is irrelevant', () => {
  test('every spelling of one registry and repository gets the same decision', () => {
    const spellingsArbitrary = imagePartsArbitrary.chain((parts) =>
      fc.tuple(fc.constant(parts), fc.constantFrom(...REGISTRY_SPELLINGS[parts.group]!), fc.constantFrom(...REGISTRY_SPELLINGS[parts.group]!), fc.boolean(), fc.boolean()),
    );
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, spellingsArbitrary, namespaceArbitrary, (document, world, [parts, first, second, officialA, officialB], namespace) => {
        const context = buildContext(world);
        const a = spell(parts, first, officialA);
        const b = spell(parts, second, officialB);
        expect(normalize(a)).toBe(normalize(b));
        expect(outcome(judgeOne(document, a, namespace, context))).toEqual(outcome(judgeOne(document, b, namespace, context)));
      }),
      runs(500),
    );
  });

  test('spellings a runtime would read as another registry are refused by every policy', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.constantFrom(...REFUSED_SPELLINGS), fc.constantFrom(...REPOSITORIES), namespaceArbitrary, (document, registry, repository, namespace) => {
        const verdict = judgeOne({ ...document, allow: ['**'] }, `${registry}/${repository}:1.0`, namespace, {});
        expect(verdict.allowed).toBe(false);
        expect(verdict.rule).toMatch(/^invalid reference: /);
      }),
      runs(100),
    );
  });
});

describe('monotonicity: a stricter policy never admits what a looser one refused', () => {
  type Tightening = (document: PolicyDocument) => PolicyDocument;
  const lowerSeverity = (severity: Severity): Severity => SEVERITIES[Math.max(0, SEVERITIES.indexOf(severity) - 1)] ?? 'UNKNOWN';
  const tightenings: fc.Arbitrary<{ name: string; tighten: Tightening }> = fc.oneof(
    fc.constantFrom(...DENY_PATTERNS).map((pattern) => ({ name: `deny ${pattern}`, tighten: (document: PolicyDocument) => ({ ...document, deny: [...document.deny, pattern] }) })),
    fc.nat().map((index) => ({
      name: `remove allow entry ${index}`,
      tighten: (document: PolicyDocument) => ({ ...document, allow: document.allow.filter((_pattern, at) => at !== index % Math.max(1, document.allow.length)) }),
    })),
    fc.constant({ name: 'requireDigest', tighten: (document: PolicyDocument) => ({ ...document, requireDigest: true }) }),
    fc.constant({
      name: 'requireDigest in every overlay',
      tighten: (document: PolicyDocument) => ({ ...document, namespaces: document.namespaces.map((overlay) => ({ ...overlay, requireDigest: true })) }),
    }),
    fc.constant({
      name: 'requireReport',
      tighten: (document: PolicyDocument) => ({
        ...document,
        vulnerabilities: { reports: 'reports', maxSeverity: 'CRITICAL' as Severity, ignore: [], ...document.vulnerabilities, requireReport: true },
        namespaces: document.namespaces.map((overlay) => (overlay.vulnerabilities === undefined ? overlay : { ...overlay, vulnerabilities: { ...overlay.vulnerabilities, requireReport: true } })),
      }),
    }),
    fc.constant({
      name: 'lower maxSeverity',
      tighten: (document: PolicyDocument) =>
        document.vulnerabilities === undefined
          ? document
          : {
              ...document,
              vulnerabilities: { ...document.vulnerabilities, maxSeverity: lowerSeverity(document.vulnerabilities.maxSeverity) },
              namespaces: document.namespaces.map((overlay) =>
                overlay.vulnerabilities?.maxSeverity === undefined ? overlay : { ...overlay, vulnerabilities: { ...overlay.vulnerabilities, maxSeverity: lowerSeverity(overlay.vulnerabilities.maxSeverity) } },
              ),
            },
    }),
    fc.tuple(signatureRuleArbitrary, fc.option(fc.nat(), { nil: undefined })).map(([rule, overlay]) => ({
      name: `signature rule ${JSON.stringify(rule)} ${overlay === undefined ? 'globally' : `in overlay ${overlay}`}`,
      tighten: (document: PolicyDocument) => withSignatureRule(document, rule, overlay),
    })),
    fc.constant({
      name: 'drop the last key of every two-key signature rule',
      tighten: (document: PolicyDocument) =>
        document.signatures === undefined ? document : { ...document, signatures: { ...document.signatures, require: document.signatures.require.map((rule) => ({ ...rule, keys: rule.keys.slice(0, 1) })) } },
    }),
    fc.constant({
      name: 'add scan gating',
      tighten: (document: PolicyDocument) => (document.vulnerabilities !== undefined ? document : { ...document, vulnerabilities: { reports: 'reports', maxSeverity: 'HIGH' as Severity, ignore: [], requireReport: false } }),
    }),
  );

  test('adding a deny entry, removing an allow entry, requireDigest, requireReport, a lower maxSeverity, scan gating, a signature rule or fewer keys', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, tightenings, (document, world, images, namespace, { tighten }) => {
        const context = buildContext(world);
        const before = judge(document, images, namespace, context);
        const after = judge(tighten(document), images, namespace, context);
        before.images.forEach((verdict, index) => {
          if (!verdict.allowed) expect(after.images[index]?.allowed).toBe(false);
        });
        if (!before.enforcedAllowed) expect(after.enforcedAllowed).toBe(false);
      }),
      runs(500),
    );
  });
});

describe('tag plus digest', () => {
  test('name:tag@D gets exactly the decision of name@D: the runtime pulls the digest', () => {
    const pinnedArbitrary = imagePartsArbitrary.chain((parts) =>
      fc.tuple(fc.constant(parts), fc.constantFrom(...DIGESTS), fc.constantFrom('latest', '1.0', 'dev'), fc.constantFrom(...REGISTRY_SPELLINGS[parts.group]!)),
    );
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, pinnedArbitrary, namespaceArbitrary, (document, world, [parts, digest, tag, spelling], namespace) => {
        const context = buildContext(world);
        const both = judgeOne(document, spell({ ...parts, tag, digest }, spelling), namespace, context);
        const digestOnly = judgeOne(document, spell({ ...parts, tag: undefined, digest }, spelling), namespace, context);
        expect(outcome(both)).toEqual(outcome(digestOnly));
      }),
      runs(400),
    );
  });
});

describe('scan gating', () => {
  test('with requireReport, every admitted image whose digest is known has a report naming that digest', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, (document, world, images, namespace) => {
        const gated = { ...document, vulnerabilities: { reports: 'reports', maxSeverity: 'CRITICAL' as Severity, ignore: [], ...document.vulnerabilities, requireReport: true } };
        // Overlays may switch requireReport off in their namespaces: keep them from doing so here.
        gated.namespaces = gated.namespaces.map((overlay) => (overlay.vulnerabilities === undefined ? overlay : { ...overlay, vulnerabilities: { ...overlay.vulnerabilities, requireReport: true } }));
        const decision = judge(gated, images, namespace, buildContext(world));
        for (const verdict of decision.images) {
          if (!verdict.allowed) continue;
          const digest = verdict.normalized?.split('@')[1] ?? verdict.digest;
          if (digest === undefined) continue;
          const named = world.reports.some((report, index) => `report-${index}.json` === verdict.report && report.digest === digest);
          expect(named).toBe(true);
        }
      }),
      runs(400),
    );
  });

  test('with no allow entry nothing is admitted, whatever the registry and the reports say', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, (document, world, images, namespace) => {
        const empty = { ...document, allow: [], namespaces: document.namespaces.map((overlay) => ({ ...overlay, allow: [] })) };
        const decision = judge(empty, images, namespace, buildContext(world));
        expect(decision.enforcedAllowed).toBe(false);
        for (const verdict of decision.images) expect(verdict.allowed).toBe(false);
      }),
      runs(200),
    );
  });
});

describe('signatures', () => {
  test('adding a signatures rule, globally or in an overlay, never admits an image the same policy refused without it', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, signatureRuleArbitrary, fc.option(fc.nat(), { nil: undefined }), (document, world, images, namespace, rule, overlay) => {
        const context = buildContext(world);
        const signed = withSignatureRule(document, rule, overlay);
        // The same policy without the new rule, with the resolveTags section the rule needed.
        const before = judge({ ...document, resolveTags: signed.resolveTags }, images, namespace, context);
        const after = judge(signed, images, namespace, context);
        before.images.forEach((verdict, index) => {
          if (!verdict.allowed) expect(after.images[index]?.allowed).toBe(false);
        });
      }),
      runs(500),
    );
  });

  test('an admitted image a rule covers carries a signature of the digest the runtime pulls, by a key that signed it', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, (document, world, images, namespace) => {
        const policy = compile(document);
        const rules = collectSignatureRules(policy, namespace);
        const decision = judge(document, images, namespace, buildContext(world));
        decision.images.forEach((verdict) => {
          if (!verdict.allowed || verdict.normalized === undefined) return;
          const reference = parseImageReference(verdict.normalized);
          if (planSignatureCheck(policy, rules, reference, undefined).kind === 'none') return;
          const signature = verdict.signature;
          if (signature?.result !== 'verified') throw new Error(`${verdict.image} admitted without a verified signature: ${JSON.stringify(signature)}`);
          expect(signature.digest).toBe(reference.digest ?? verdict.digest);
          const answer = findSignatureAnswer(world, formatDigestReference({ registry: reference.registry, repository: reference.repository, digest: signature.digest }));
          for (const signed of signature.signatures) expect(answer?.kind === 'signed' && answer.keys.some((key) => key === signed.key)).toBe(true);
        });
      }),
      runs(500),
    );
  });

  test('a check the webhook\'s own limits stopped, or that never ran, is a denial', () => {
    fc.assert(
      fc.property(policyArbitrary, worldArbitrary, imagesArbitrary, namespaceArbitrary, (document, world, images, namespace) => {
        const judged = [judge(document, images, namespace, buildContext(world)), judge(document, images, namespace, { ...buildContext(world), verifications: new Map() })];
        for (const decision of judged) {
          for (const verdict of decision.images) {
            if (verdict.signature !== undefined && verdict.signature.result !== 'verified') expect(verdict.allowed).toBe(false);
          }
        }
      }),
      runs(300),
    );
  });
});

describe('the generators reach what the properties guard', () => {
  // Each count comes from the same generators with a fixed seed: if one drops to zero, a
  // property above has become vacuous.
  const tally = { resolved: 0, resolvedAllowed: 0, resolvedRefusedByDigest: 0, allowed: 0, reportVouched: 0, limitedUnderLenient: 0, failedUnderLenient: 0, signatureVerified: 0, signatureRefused: 0 };

  beforeAll(() => {
    const samples = fc.sample(fc.tuple(policyArbitrary, worldArbitrary, imagePartsArbitrary, namespaceArbitrary), { numRuns: 1000, seed: 7 });
    for (const [document, world, parts, namespace] of samples) {
      const context = buildContext(world);
      const image = spell({ ...parts, digest: undefined }, REGISTRY_SPELLINGS[parts.group]![0]!);
      const lenient = judgeOne(lenientResolution(document), image, namespace, context);
      if (lenient.resolveError === LIMITED_FAULT) tally.limitedUnderLenient += 1;
      else if (lenient.resolveError !== undefined && lenient.allowed) tally.failedUnderLenient += 1;
      const tagged = judgeOne(document, image, namespace, context);
      const pinned = judgeOne(document, spell(parts, REGISTRY_SPELLINGS[parts.group]![0]!), namespace, context);
      for (const verdict of [tagged, pinned]) {
        if (verdict.signature?.result === 'verified' && verdict.allowed) tally.signatureVerified += 1;
        if (verdict.signature !== undefined && verdict.signature.result !== 'verified') tally.signatureRefused += 1;
      }
      if (tagged.allowed) tally.allowed += 1;
      if (tagged.digest === undefined) continue;
      tally.resolved += 1;
      if (tagged.allowed) tally.resolvedAllowed += 1;
      if (tagged.report !== undefined && tagged.allowed) tally.reportVouched += 1;
      if (!tagged.allowed && (isDenyRule(tagged.rule) || isFindingRule(tagged.rule))) tally.resolvedRefusedByDigest += 1;
    }
  });

  test.each(Object.keys(tally).map((name) => ({ name })))('$name', ({ name }) => {
    expect(tally[name as keyof typeof tally]).toBeGreaterThan(5);
  });
});
