// Lint rules for deny entries that look like they close a door but leave another spelling of it
// open: a host glob that skips the domain itself, a tag that a digest sidesteps, a port or a
// loopback name when the same registry answers to others. Each finding suggests the entries that
// close the gap, written as patterns the loader accepts.
import { HTTPS_PORT, isLoopbackRegistry } from '../reference';
import type { ListedPattern } from './catalogue';
import { GLOBSTAR, STAR, formatRegistry } from './shape';
import type { PatternFinding } from './written';

/** The loopback spellings of one local registry; any 127.0.0.0/8 address also reaches it. */
const LOOPBACK_HOSTS = ['localhost', '127.*.*.*', '[::1]'];
const WILDCARD_LABEL = `${STAR}.`;

function formatPath(entry: ListedPattern): string {
  return entry.shape.path.join('/');
}

function withRegistry(registry: string, entry: ListedPattern): string {
  return `${registry}/${formatPath(entry)}`;
}

/** `*.evil.io/**` matches a.evil.io but not evil.io: the apex domain is a registry of its own. */
export function checkApexNotCovered(entry: ListedPattern): PatternFinding | undefined {
  const registry = entry.shape.registry;
  if (entry.pattern.kind !== 'deny' || registry === undefined || !registry.host.startsWith(WILDCARD_LABEL)) return undefined;
  const apex = registry.host.slice(WILDCARD_LABEL.length);
  if (apex.includes(STAR) || !apex.includes('.')) return undefined;
  const fix = withRegistry(formatRegistry({ host: apex, port: registry.port }), entry);
  return {
    rule: 'deny-apex-not-covered',
    message: `"${registry.host}" matches hosts under ${apex}, not ${apex} itself: add "${fix}" to deny it too`,
    fixes: [fix],
  };
}

/** A tag is ignored when the image also names a digest, so `app:bad@sha256:...` escapes `deny: [app:bad]`. */
export function checkTagEscapedByDigest(entry: ListedPattern): PatternFinding | undefined {
  const { shape } = entry;
  if (entry.pattern.kind !== 'deny' || shape.tag === undefined || shape.digest !== undefined) return undefined;
  // `**:latest` and the like are about tag hygiene everywhere: a digest pins the image, which is the point.
  if (shape.registry === undefined && shape.path.every((segment) => segment === GLOBSTAR)) return undefined;
  const repository = shape.registry === undefined ? formatPath(entry) : withRegistry(formatRegistry(shape.registry), entry);
  return {
    rule: 'deny-tag-escaped-by-digest',
    message: `denies the tag only: an image that also names a digest is pulled by the digest, so "${repository}:${shape.tag}@sha256:..." is not denied; deny the digest ("${repository}@sha256:<digest>") or the whole repository ("${repository}")`,
    fixes: [repository],
  };
}

/** A deny entry that names one spelling of a registry reachable under others. */
export function checkOneSpelling(entry: ListedPattern): PatternFinding | undefined {
  const registry = entry.shape.registry;
  if (entry.pattern.kind !== 'deny' || registry === undefined) return undefined;
  if (isLoopbackRegistry(registry.host)) {
    const fixes = LOOPBACK_HOSTS.map((host) => withRegistry(formatRegistry({ host, port: registry.port }), entry));
    return {
      rule: 'deny-one-spelling',
      message: `a registry on loopback also answers as localhost, any 127.0.0.0/8 address and [::1]: deny each spelling (${fixes.map((fix) => `"${fix}"`).join(', ')})`,
      fixes,
    };
  }
  if (registry.port !== undefined) {
    const fix = withRegistry(registry.host, entry);
    const same = registry.port === HTTPS_PORT ? ` (${registry.host} without a port is the same HTTPS endpoint)` : '';
    return {
      rule: 'deny-one-spelling',
      message: `names port ${registry.port} only, so the same host without a port or on another port is not denied${same}; "${fix}" (no port) denies it on every port`,
      fixes: [fix],
    };
  }
  return undefined;
}
