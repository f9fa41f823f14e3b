// Turns sightings into allow entries at the granularity the operator chose, and says which
// entries we would not recommend. Those are still suggested — the cluster runs them, and leaving
// them out would break it on the switch to enforce — but each carries its warnings.
import { DEFAULT_TAG, type ImageReference, InvalidImageReferenceError, formatReference, isRegistryComponent, parseImageReference } from '../reference';
import type { Sighting } from './sightings';

export const GRANULARITIES = ['image', 'repository', 'prefix'] as const;
/** image: exactly as normalized (tag and digest); repository: any tag; prefix: `registry/org/**`. */
export type Granularity = (typeof GRANULARITIES)[number];

export const ENTRY_WARNINGS = ['latest', 'unpinned-tag', 'short-name', 'never-admitted', 'audit-only', 'whole-registry'] as const;
export type EntryWarningKind = (typeof ENTRY_WARNINGS)[number];

export interface EntryWarning {
  readonly kind: EntryWarningKind;
  readonly message: string;
}

export interface SuggestedEntry {
  /** A normalized, fully qualified pattern: it reads exactly as it matches. */
  readonly pattern: string;
  /** The namespace overlay it belongs to, when grouping by namespace. */
  readonly namespace: string | undefined;
  readonly sightings: readonly Sighting[];
  readonly warnings: readonly EntryWarning[];
}

export interface InvalidImage {
  readonly image: string;
  readonly fault: string;
  readonly sightings: readonly Sighting[];
}

export interface EntryOptions {
  readonly granularity: Granularity;
  readonly groupByNamespace: boolean;
}

const GLOBSTAR_SUFFIX = '/**';
/** Examples of written forms quoted in one warning. */
const MAX_QUOTED_FORMS = 2;

function buildPattern(reference: ImageReference, granularity: Granularity): string {
  if (granularity === 'image') return formatReference(reference);
  if (granularity === 'repository') return `${reference.registry}/${reference.repository}`;
  // The first path component is the organisation on every multi-tenant registry (ghcr.io/org,
  // quay.io/org, docker.io/library); a one-component repository leaves only the registry.
  const components = reference.repository.split('/');
  const organisation = components.length > 1 ? `/${components[0] ?? ''}` : '';
  return `${reference.registry}${organisation}${GLOBSTAR_SUFFIX}`;
}

/** True when the image names no registry, so the node's runtime configuration picks one. */
export function isShortName(image: string): boolean {
  const slash = image.indexOf('/');
  return slash < 0 || !isRegistryComponent(image.slice(0, slash));
}

function quoteForms(images: readonly string[]): string {
  const unique = [...new Set(images)].sort(compareText);
  const shown = unique.slice(0, MAX_QUOTED_FORMS).map((image) => JSON.stringify(image));
  return unique.length > MAX_QUOTED_FORMS ? `${shown.join(', ')} and ${unique.length - MAX_QUOTED_FORMS} more` : shown.join(', ');
}

interface Observed {
  readonly sighting: Sighting;
  readonly reference: ImageReference;
}

function findWarnings(observed: readonly Observed[], granularity: Granularity, pattern: string): EntryWarning[] {
  const warnings: EntryWarning[] = [];
  const registryOnly = pattern.slice(0, -GLOBSTAR_SUFFIX.length);
  if (granularity === 'prefix' && pattern.endsWith(GLOBSTAR_SUFFIX) && !registryOnly.includes('/')) {
    warnings.push({
      kind: 'whole-registry',
      message: `covers every repository on ${registryOnly}: a one-component repository leaves only the registry as its prefix; allow the repository itself instead`,
    });
  }
  const latest = observed.filter(({ reference }) => reference.digest === undefined && reference.tag === DEFAULT_TAG);
  if (latest.length > 0) {
    warnings.push({
      kind: 'latest',
      message: `runs ${quoteForms(latest.map((item) => item.sighting.image))}, which is :${DEFAULT_TAG}, a moving tag: what runs can change without a policy change; pin a version or a digest`,
    });
  }
  // At image granularity every sighting of an entry has the same tag, so the entry names it.
  const unpinned = observed.find(({ reference }) => reference.digest === undefined && reference.tag !== DEFAULT_TAG);
  if (granularity === 'image' && unpinned !== undefined) {
    warnings.push({
      kind: 'unpinned-tag',
      message: `tag :${unpinned.reference.tag ?? ''} is not pinned by digest: whoever can push to the repository can move it; prefer @sha256:...`,
    });
  }
  const short = observed.filter(({ sighting }) => isShortName(sighting.image));
  if (short.length > 0) {
    warnings.push({
      kind: 'short-name',
      message: `Docker Hub short name (${quoteForms(short.map((item) => item.sighting.image))}): written without a registry, so the node's runtime picks one (CRI-O may search several); write the registry in the pod spec`,
    });
  }
  if (observed.every(({ sighting }) => sighting.admission === 'denied' || sighting.admission === 'break-glass')) {
    warnings.push({ kind: 'never-admitted', message: 'seen only in reviews that were denied or admitted by break-glass: the policy never let a pod with this image run' });
  } else if (observed.every(({ sighting }) => sighting.admission !== 'policy')) {
    const namespaces = [...new Set(observed.map(({ sighting }) => sighting.namespace))].sort(compareText);
    warnings.push({
      kind: 'audit-only',
      message: `admitted only because its namespace audits (${namespaces.slice(0, MAX_QUOTED_FORMS).join(', ')}${namespaces.length > MAX_QUOTED_FORMS ? ', ...' : ''}): the policy in force denies it, and whoever creates pods there chose it`,
    });
  }
  return warnings;
}

/** Code-point order: the same output on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntries(a: SuggestedEntry, b: SuggestedEntry): number {
  return compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.pattern, b.pattern);
}

/** Groups sightings into entries (sorted by namespace, then pattern) and lists images that do not parse. */
export function buildEntries(sightings: readonly Sighting[], options: EntryOptions): { entries: SuggestedEntry[]; invalid: InvalidImage[] } {
  const groups = new Map<string, { pattern: string; namespace: string | undefined; observed: Observed[] }>();
  const invalid = new Map<string, { fault: string; sightings: Sighting[] }>();
  for (const sighting of sightings) {
    let reference: ImageReference;
    try {
      reference = parseImageReference(sighting.image);
    } catch (error) {
      if (!(error instanceof InvalidImageReferenceError)) throw error;
      const known = invalid.get(sighting.image) ?? { fault: error.fault, sightings: [] };
      known.sightings.push(sighting);
      invalid.set(sighting.image, known);
      continue;
    }
    const pattern = buildPattern(reference, options.granularity);
    const namespace = options.groupByNamespace ? sighting.namespace : undefined;
    const key = JSON.stringify([namespace ?? null, pattern]);
    const group = groups.get(key) ?? { pattern, namespace, observed: [] };
    group.observed.push({ sighting, reference });
    groups.set(key, group);
  }
  const entries = [...groups.values()].map((group) => ({
    pattern: group.pattern,
    namespace: group.namespace,
    sightings: group.observed.map((item) => item.sighting),
    warnings: findWarnings(group.observed, options.granularity, group.pattern),
  }));
  const invalidImages = [...invalid.entries()]
    .map(([image, known]) => ({ image, fault: known.fault, sightings: known.sightings }))
    .sort((a, b) => compareText(a.image, b.image));
  return { entries: entries.sort(compareEntries), invalid: invalidImages };
}
