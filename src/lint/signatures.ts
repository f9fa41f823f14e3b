// Lint rules for the signatures sections: a rule whose images can never be verified (their
// registry is not one resolveTags lists, so their signatures are never fetched and every image is
// denied), a key no rule names, and an allow entry on a registry that has signature rules but
// whose images no rule covers (they run unsigned, which is rarely what such a policy means).
import type { CompiledPattern, CompiledPolicy, SignatureRule } from '../policy';
import { denyCoversAllow } from './containment';
import type { NodePath, PolicyLocator } from './locate';
import { formatRegistry, readNormalizedPattern } from './shape';
import type { PolicyWarning } from './warning';

interface ListedRule {
  readonly rule: SignatureRule;
  readonly nodePath: NodePath;
  /** Index of the namespace overlay, or undefined for the global rules. */
  readonly overlay: number | undefined;
}

function listRules(policy: CompiledPolicy): ListedRule[] {
  const global = (policy.signatures?.rules ?? []).map((rule, index) => ({ rule, nodePath: ['signatures', 'require', index], overlay: undefined }));
  const overlays = policy.namespaces.flatMap((overlay, at) => overlay.signatureRules.map((rule, index) => ({ rule, nodePath: ['namespaces', at, 'signatures', 'require', index], overlay: at })));
  return [...global, ...overlays];
}

function checkFetchable(policy: CompiledPolicy, listed: ListedRule, locator: PolicyLocator): PolicyWarning[] {
  const registries = policy.resolveTags?.registries;
  return listed.rule.images.patterns.flatMap((pattern, index) => {
    const registry = readNormalizedPattern(pattern.normalized).registry;
    if (registry === undefined || registry.host.includes('*')) return [];
    const name = formatRegistry(registry);
    if (registries?.has(name) === true) return [];
    const why = registries === undefined ? 'resolveTags is disabled' : `resolveTags.registries does not list ${name}`;
    return [
      {
        file: policy.source,
        ...locator.locateValue([...listed.nodePath, 'images', index]),
        path: pattern.origin,
        rule: 'signature-unfetchable',
        message: `can never be met: signatures are fetched only from the registries resolveTags lists, and ${why}; every image it covers is denied`,
      } satisfies PolicyWarning,
    ];
  });
}

/** `namespaces[0].signatures.keys.ci`, the way the author would point at the entry. */
function formatPath(path: NodePath): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text === '' ? part : `${text}.${part}`), '');
}

function checkUnusedKeys(policy: CompiledPolicy, rules: readonly ListedRule[], locator: PolicyLocator): PolicyWarning[] {
  const named = new Set(rules.flatMap((listed) => listed.rule.keys));
  return [...(policy.signatures?.keys.values() ?? [])]
    .filter((entry) => !named.has(entry.name))
    .map((entry) => ({
      file: policy.source,
      ...locator.locateValue(entry.path),
      path: formatPath(entry.path),
      rule: 'signature-key-unused',
      message: `key "${entry.name}" is named by no signatures rule, so it verifies nothing`,
    }));
}

/** Allow entries with their place, and the rules in force wherever each applies. */
function listAllows(policy: CompiledPolicy, rules: readonly ListedRule[]): { pattern: CompiledPattern; nodePath: NodePath; rules: readonly SignatureRule[] }[] {
  const global = rules.filter((listed) => listed.overlay === undefined).map((listed) => listed.rule);
  const forOverlay = (at: number): SignatureRule[] => [...global, ...rules.filter((listed) => listed.overlay === at).map((listed) => listed.rule)];
  return [
    ...policy.allow.patterns.map((pattern, index) => ({ pattern, nodePath: ['allow', index], rules: global })),
    ...policy.namespaces.flatMap((overlay, at) => overlay.allow.patterns.map((pattern, index) => ({ pattern, nodePath: ['namespaces', at, 'allow', index], rules: forOverlay(at) }))),
  ];
}

function checkUncoveredAllows(policy: CompiledPolicy, rules: readonly ListedRule[], locator: PolicyLocator): PolicyWarning[] {
  const ruleShapes = rules.flatMap((listed) => listed.rule.images.patterns.map((pattern) => readNormalizedPattern(pattern.normalized)));
  const signedHosts = new Set(ruleShapes.flatMap((shape) => (shape.registry === undefined ? [] : [shape.registry.host])));
  return listAllows(policy, rules).flatMap(({ pattern, nodePath, rules: inForce }) => {
    const shape = readNormalizedPattern(pattern.normalized);
    if (shape.registry === undefined || !signedHosts.has(shape.registry.host)) return [];
    const covered = inForce.some((rule) => rule.images.patterns.some((rulePattern) => denyCoversAllow(readNormalizedPattern(rulePattern.normalized), shape)));
    if (covered) return [];
    return [
      {
        file: policy.source,
        ...locator.locateValue(nodePath),
        path: pattern.origin,
        rule: 'signature-uncovered-allow',
        message: `admits images on ${formatRegistry(shape.registry)}, which has signature rules, that no rule in force here covers: they run unsigned; add a rule for them, or narrow this entry`,
      } satisfies PolicyWarning,
    ];
  });
}

export function lintSignatures(policy: CompiledPolicy, locator: PolicyLocator): PolicyWarning[] {
  if (policy.signatures === undefined) return [];
  const rules = listRules(policy);
  return [...rules.flatMap((listed) => checkFetchable(policy, listed, locator)), ...checkUnusedKeys(policy, rules, locator), ...checkUncoveredAllows(policy, rules, locator)];
}
