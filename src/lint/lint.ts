// lintPolicy: warnings about a policy that loads but probably does not say what its author
// meant. Runs only on a policy loadPolicy accepted; never changes what the policy decides.
import { type CompiledPolicy, NO_ALLOW_RULE, REQUIRE_DIGEST_RULE } from '../policy';
import { type BootstrapDenial, type BootstrapOptions, describeBootstrapDenial, findBootstrapDenials } from './bootstrap';
import { type ListedPattern, findNodePath, listPatterns } from './catalogue';
import { type Location, PolicyLocator } from './locate';
import { type LocatedFinding, findDuplicates, findShadowedAllows } from './overlap';
import type { PolicyWarning } from './warning';
import { checkApexNotCovered, checkOneSpelling, checkTagEscapedByDigest } from './deny-traps';
import { lintSignatures } from './signatures';
import { type PatternFinding, checkGluedGlob, checkHostLikeNamespace, checkRegistryGlobstar, checkSurprisingNormalization } from './written';

export type LintOptions = BootstrapOptions;

/** Answers whether the policy denies a normalized pattern wherever a given entry applies. */
type DeniedPatterns = Pick<ReadonlySet<string>, 'has'>;

/** Normalized deny entries that apply wherever `entry` does: the global list and its own overlay's. */
function collectDenied(patterns: readonly ListedPattern[]): (entry: ListedPattern) => DeniedPatterns {
  const byOverlay = new Map<number | undefined, Set<string>>();
  for (const listed of patterns) {
    if (listed.pattern.kind !== 'deny') continue;
    const set = byOverlay.get(listed.overlay) ?? new Set<string>();
    set.add(listed.pattern.normalized);
    byOverlay.set(listed.overlay, set);
  }
  const global = byOverlay.get(undefined) ?? new Set<string>();
  // Both sets are asked instead of one merged per overlay: merging copies the global list once per overlay.
  return (entry) => {
    const own = entry.overlay === undefined ? undefined : byOverlay.get(entry.overlay);
    return own === undefined ? global : { has: (normalized) => global.has(normalized) || own.has(normalized) };
  };
}

/** A deny-trap finding is moot once the policy already denies every entry it suggests. */
function isClosed(finding: PatternFinding, denied: DeniedPatterns): boolean {
  return finding.fixes !== undefined && finding.fixes.length > 0 && finding.fixes.every((fix) => denied.has(fix));
}

function checkWritten(entry: ListedPattern, denied: DeniedPatterns): LocatedFinding[] {
  const { written, shape, pattern } = entry;
  const findings = [
    checkGluedGlob(written),
    checkRegistryGlobstar(written, pattern.kind),
    checkHostLikeNamespace(written),
    checkSurprisingNormalization(written, shape, pattern.normalized),
    checkApexNotCovered(entry),
    checkTagEscapedByDigest(entry),
    checkOneSpelling(entry),
  ];
  return findings.flatMap((finding) => (finding === undefined || isClosed(finding, denied) ? [] : [{ ...finding, entry }]));
}

/** The overlay whose requireDigest applies in a namespace: the last matching one that sets it, as in evaluate. */
function findDigestOverlay(policy: CompiledPolicy, namespace: string): number | undefined {
  let found: number | undefined;
  policy.namespaces.forEach((overlay, index) => {
    if (overlay.requireDigest !== undefined && overlay.names.some((glob) => glob.matches(namespace))) found = index;
  });
  return found;
}

/** Where a bootstrap denial is decided: the deny entry, the allow list, or the requireDigest setting. */
function locateDenial(denial: BootstrapDenial, policy: CompiledPolicy, patterns: readonly ListedPattern[], locator: PolicyLocator): { location: Location; path: string } {
  const rule = denial.verdict.rule;
  // A pattern builds its rule string on every read: comparing the origin first spares that for all but one.
  const decidedBy = patterns.find((entry) => rule.startsWith(entry.pattern.origin) && entry.pattern.rule === rule);
  if (decidedBy !== undefined) return { location: locator.locateValue(findNodePath(decidedBy)), path: decidedBy.pattern.origin };
  if (rule === NO_ALLOW_RULE) return { location: locator.locateKey([], 'allow'), path: 'allow' };
  if (rule === REQUIRE_DIGEST_RULE) {
    const overlay = findDigestOverlay(policy, denial.namespace);
    if (overlay !== undefined) return { location: locator.locateKey(['namespaces', overlay], 'requireDigest'), path: `namespaces[${overlay}].requireDigest` };
    return { location: locator.locateKey([], 'requireDigest'), path: 'requireDigest' };
  }
  return { location: locator.locateValue([]), path: '' };
}

export function lintPolicy(policy: CompiledPolicy, text: string, options: LintOptions): PolicyWarning[] {
  const locator = new PolicyLocator(text);
  const patterns = listPatterns(policy);
  const deniedWith = collectDenied(patterns);
  const findings = [...patterns.flatMap((entry) => checkWritten(entry, deniedWith(entry))), ...findShadowedAllows(patterns), ...findDuplicates(patterns)];
  const warnings: PolicyWarning[] = findings.map((finding) => ({
    file: policy.source,
    ...locator.locateValue(findNodePath(finding.entry)),
    path: finding.entry.pattern.origin,
    rule: finding.rule,
    message: finding.message,
    ...(finding.fixes === undefined ? {} : { fixes: finding.fixes }),
  }));
  warnings.push(...lintSignatures(policy, locator));
  for (const denial of findBootstrapDenials(policy, options)) {
    const { location, path } = locateDenial(denial, policy, patterns, locator);
    warnings.push({ file: policy.source, ...location, path, rule: 'bootstrap-denied', message: describeBootstrapDenial(denial) });
  }
  return warnings.sort((a, b) => a.line - b.line || a.column - b.column);
}
