// lintPolicy looks patterns up in indexes (deny entries by host and literal prefix, entries by
// normalized form) and reads positions line by line; this property holds it to a reference that
// does the straightforward thing — every pair compared, positions from the full YAML parser —
// on generated policies whose patterns overlap often. The reference is kept here on purpose:
// it is quadratic, and exists only to say what the answer must be.
import fc from 'fast-check';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { type LintOptions, type PolicyWarning, lintPolicy } from '../../../src/lint';
import type { ListedPattern } from '../../../src/lint/catalogue';
import { denyCoversAllow } from '../../../src/lint/containment';
import { checkApexNotCovered, checkOneSpelling, checkTagEscapedByDigest } from '../../../src/lint/deny-traps';
import { readNormalizedPattern, readWrittenName } from '../../../src/lint/shape';
import { type PatternFinding, checkGluedGlob, checkHostLikeNamespace, checkRegistryGlobstar, checkSurprisingNormalization } from '../../../src/lint/written';
import { type CompiledPolicy, type PatternSet, loadPolicy } from '../../../src/policy';
import { policyTextArbitrary, writePolicyText } from './policy-text';

const PATTERNS_ONLY: LintOptions = { controlPlane: false, webhookImages: [], webhookNamespace: 'kube-system' };
type Path = readonly (string | number)[];
/** The reference is quadratic by design; on a loaded machine the runs take a while. */
const PROPERTY_TIMEOUT_MS = 120_000;

interface ReferenceEntry extends ListedPattern {
  readonly path: Path;
}

function listReferenceEntries(policy: CompiledPolicy): ReferenceEntry[] {
  const list = (set: PatternSet, parent: Path, overlay: number | undefined): ReferenceEntry[] =>
    set.patterns.map((pattern, index) => {
      const path = [...parent, pattern.kind];
      return { pattern, list: path, index, path: [...path, index], overlay, shape: readNormalizedPattern(pattern.normalized), written: readWrittenName(pattern.source) };
    });
  return [
    ...list(policy.allow, [], undefined),
    ...list(policy.deny, [], undefined),
    ...policy.namespaces.flatMap((overlay, index) => [...list(overlay.allow, ['namespaces', index], index), ...list(overlay.deny, ['namespaces', index], index)]),
  ];
}

/** Where the YAML library puts the node at `path`, or its nearest existing parent. */
function locateWithParser(text: string): (path: Path) => { line: number; column: number } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, logLevel: 'silent' });
  return (path) => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return { line: 1, column: 1 };
  };
}

function referenceLint(policy: CompiledPolicy, text: string): PolicyWarning[] {
  const entries = listReferenceEntries(policy);
  const appliesWith = (other: ReferenceEntry, entry: ReferenceEntry): boolean => other.overlay === undefined || other.overlay === entry.overlay;
  const located: { entry: ReferenceEntry; finding: PatternFinding }[] = [];
  for (const entry of entries) {
    const denied = new Set(entries.filter((other) => other.pattern.kind === 'deny' && appliesWith(other, entry)).map((other) => other.pattern.normalized));
    const findings = [
      checkGluedGlob(entry.written),
      checkRegistryGlobstar(entry.written, entry.pattern.kind),
      checkHostLikeNamespace(entry.written),
      checkSurprisingNormalization(entry.written, entry.shape, entry.pattern.normalized),
      checkApexNotCovered(entry),
      checkTagEscapedByDigest(entry),
      checkOneSpelling(entry),
    ];
    for (const finding of findings) {
      const closed = finding?.fixes !== undefined && finding.fixes.length > 0 && finding.fixes.every((fix) => denied.has(fix));
      if (finding !== undefined && !closed) located.push({ entry, finding });
    }
  }
  for (const entry of entries) {
    if (entry.pattern.kind !== 'allow') continue;
    const shadow = entries.find((other) => other.pattern.kind === 'deny' && appliesWith(other, entry) && denyCoversAllow(other.shape, entry.shape));
    if (shadow === undefined) continue;
    const message = `never admits an image: everything it matches is denied by ${shadow.pattern.origin} "${shadow.pattern.source}" (deny beats allow)`;
    located.push({ entry, finding: { rule: 'shadowed-allow', message } });
  }
  entries.forEach((entry, index) => {
    const earlier = entries.slice(0, index).find((other) => other.pattern.kind === entry.pattern.kind && other.pattern.normalized === entry.pattern.normalized && appliesWith(other, entry));
    if (earlier === undefined) return;
    const same = earlier.pattern.source === entry.pattern.source ? '' : ` (both read as ${entry.pattern.normalized})`;
    const why = earlier.overlay === entry.overlay ? 'one of them can go' : 'the global entry already applies in every namespace';
    located.push({ entry, finding: { rule: 'duplicate-pattern', message: `duplicates ${earlier.pattern.origin} "${earlier.pattern.source}"${same}: ${why}` } });
  });
  const locate = locateWithParser(text);
  return located
    .map(({ entry, finding }): PolicyWarning => ({
      file: policy.source,
      ...locate(entry.path),
      path: entry.pattern.origin,
      rule: finding.rule,
      message: finding.message,
      ...(finding.fixes === undefined ? {} : { fixes: finding.fixes }),
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

test('lintPolicy gives exactly the warnings of the pairwise reference', () => {
  const seen = new Map<string, number>();
  let closedTraps = 0;
  const trapChecks = [checkApexNotCovered, checkTagEscapedByDigest, checkOneSpelling];
  fc.assert(
    fc.property(policyTextArbitrary, (generated) => {
      const text = writePolicyText(generated);
      const policy = loadPolicy(text, 'policy.yaml');
      const want = referenceLint(policy, text);
      expect(lintPolicy(policy, text, PATTERNS_ONLY)).toEqual(want);
      for (const warning of want) seen.set(warning.rule, (seen.get(warning.rule) ?? 0) + 1);
      const unclosed = want.filter((warning) => warning.rule.startsWith('deny-')).length;
      const traps = listReferenceEntries(policy).flatMap((entry) => trapChecks.filter((check) => check(entry) !== undefined));
      closedTraps += traps.length - unclosed;
    }),
    { numRuns: 150 },
  );
  // The comparison must have covered what the indexes decide, not only policies without overlaps.
  expect(seen.get('shadowed-allow') ?? 0).toBeGreaterThan(1000);
  expect(seen.get('duplicate-pattern') ?? 0).toBeGreaterThan(1000);
  expect(closedTraps).toBeGreaterThan(30);
}, PROPERTY_TIMEOUT_MS);
