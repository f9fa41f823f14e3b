// The policy's view of scan reports and tag resolution: the compiled `vulnerabilities` and
// `resolveTags` sections, the gate in force in a namespace after its overlays, and the lookup of
// a tag's resolution in the evaluation context. Compiled once at load, so a review allocates
// nothing here unless an overlay adds ignored IDs.
import { type ImageReference, checkRegistry } from '../reference';
import type { Severity, VulnerabilityGate } from '../vulnerabilities';
import { type TagResolution, formatTagKey } from './context';
import type { PolicyDocument } from './schema';

export type ResolveErrorAction = 'deny' | 'allow-with-audit';

export interface CompiledVulnerabilities {
  /** The reports directory as written (the server resolves it against the policy file's folder). */
  readonly reports: string;
  readonly gate: VulnerabilityGate;
}

export interface VulnerabilityOverlay {
  readonly origin: string;
  readonly maxSeverity: Severity | undefined;
  /** Upper-cased IDs this overlay adds to the ignore list. */
  readonly ignore: readonly string[];
  readonly requireReport: boolean | undefined;
}

/** The resolveTags section when enabled; the server builds its resolver from exactly these values. */
export interface ResolveTagsSettings {
  /** Canonical registry hosts (as normalized references name them). */
  readonly registries: ReadonlySet<string>;
  readonly plainHttpRegistries: ReadonlySet<string>;
  readonly timeoutMs: number;
  readonly cacheTtlSeconds: number;
  readonly cacheSize: number;
  readonly maxTagsPerReview: number;
  readonly onError: ResolveErrorAction;
  readonly credentialsFile: string | undefined;
  readonly caFile: string | undefined;
}

const GLOBAL_ORIGIN = 'vulnerabilities';
/** What evaluate records for a tag the policy resolves but the context holds no answer for. */
export const NOT_RESOLVED_FAULT = 'not resolved: no registry lookup was made';

type VulnerabilitiesSection = NonNullable<PolicyDocument['vulnerabilities']>;
type OverlaySection = NonNullable<PolicyDocument['namespaces'][number]['vulnerabilities']>;
type ResolveTagsSection = NonNullable<PolicyDocument['resolveTags']>;

export function compileVulnerabilities(section: VulnerabilitiesSection | undefined): CompiledVulnerabilities | undefined {
  if (section === undefined) return undefined;
  return {
    reports: section.reports,
    gate: {
      maxSeverity: section.maxSeverity,
      ignore: new Set(section.ignore.map((id) => id.toUpperCase())),
      requireReport: section.requireReport,
      origins: { maxSeverity: GLOBAL_ORIGIN, requireReport: GLOBAL_ORIGIN },
    },
  };
}

export function compileVulnerabilityOverlay(section: OverlaySection | undefined, overlayOrigin: string): VulnerabilityOverlay | undefined {
  if (section === undefined) return undefined;
  return {
    origin: `${overlayOrigin}.vulnerabilities`,
    maxSeverity: section.maxSeverity,
    ignore: (section.ignore ?? []).map((id) => id.toUpperCase()),
    requireReport: section.requireReport,
  };
}

/** Registry hosts as normalized references print them (`index.docker.io` is `docker.io`, hosts lower-cased). */
function canonicalHosts(hosts: readonly string[]): ReadonlySet<string> {
  // The schema has refused every host checkRegistry rejects, so the fallback is never taken.
  return new Set(hosts.map((host) => {
    const checked = checkRegistry(host);
    return checked.ok ? checked.value : host;
  }));
}

export function compileResolveTags(section: ResolveTagsSection | undefined): ResolveTagsSettings | undefined {
  if (section === undefined || !section.enabled) return undefined;
  return {
    registries: canonicalHosts(section.registries),
    plainHttpRegistries: canonicalHosts(section.plainHttpRegistries),
    timeoutMs: section.timeoutMs,
    cacheTtlSeconds: section.cacheTTLSeconds,
    cacheSize: section.cacheSize,
    maxTagsPerReview: section.maxTagsPerReview,
    onError: section.onError,
    credentialsFile: section.credentialsFile,
    caFile: section.caFile,
  };
}

/** The gate in a namespace: the global settings with every matching overlay applied in order. */
export function mergeVulnerabilityGate(global: CompiledVulnerabilities | undefined, overlays: readonly VulnerabilityOverlay[]): VulnerabilityGate | undefined {
  if (global === undefined) return undefined;
  if (overlays.length === 0) return global.gate;
  let { maxSeverity, requireReport, origins } = global.gate;
  const added: string[] = [];
  for (const overlay of overlays) {
    if (overlay.maxSeverity !== undefined) {
      maxSeverity = overlay.maxSeverity;
      origins = { ...origins, maxSeverity: overlay.origin };
    }
    if (overlay.requireReport !== undefined) {
      requireReport = overlay.requireReport;
      origins = { ...origins, requireReport: overlay.origin };
    }
    added.push(...overlay.ignore);
  }
  const ignore = added.length === 0 ? global.gate.ignore : new Set([...global.gate.ignore, ...added]);
  return { maxSeverity, ignore, requireReport, origins };
}

/**
 * The resolution that applies to an image: undefined when the policy does not resolve it (no
 * resolveTags, pinned by digest, or a registry not listed); a failure when the context has none.
 */
export function findResolution(
  settings: ResolveTagsSettings | undefined,
  reference: ImageReference,
  resolutions: ReadonlyMap<string, TagResolution> | undefined,
  limitFault: string | undefined,
): TagResolution | undefined {
  if (settings === undefined || reference.digest !== undefined || reference.tag === undefined) return undefined;
  if (!settings.registries.has(reference.registry)) return undefined;
  if (limitFault !== undefined) return { ok: false, fault: limitFault, limited: true };
  const key = formatTagKey({ registry: reference.registry, repository: reference.repository, tag: reference.tag });
  return resolutions?.get(key) ?? { ok: false, fault: NOT_RESOLVED_FAULT, limited: true };
}
