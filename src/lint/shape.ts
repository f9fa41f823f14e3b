// Reads a pattern back into pieces for the lint rules: the normalized form (what it matches) and
// the written form (what its author typed). Both strings already passed the policy loader, so
// splitting on the grammar's delimiters is exact here.
import { isRegistryComponent } from '../reference';

export const GLOBSTAR = '**';
export const STAR = '*';

export interface PatternShape {
  /** Undefined when the pattern opens with `**` and so spans every registry. */
  readonly registry: { readonly host: string; readonly port: string | undefined } | undefined;
  readonly path: readonly string[];
  /** The tag a match requires; undefined when any tag (or, with a digest, no tag) decides. */
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** The written name part (before any tag or digest), split into components. */
export interface WrittenName {
  /** The first component when it names a registry, as written. */
  readonly registry: string | undefined;
  readonly path: readonly string[];
}

function splitNameTagDigest(text: string): { name: string; tag: string | undefined; digest: string | undefined } {
  const at = text.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const nameAndTag = at >= 0 ? text.slice(0, at) : text;
  // A ":" before the last "/" is a registry port, never a tag.
  const colon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  return { name: colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag, tag: colon >= 0 ? nameAndTag.slice(colon + 1) : undefined, digest };
}

function splitHostAndPort(registry: string): { host: string; port: string | undefined } {
  const portColon = registry.startsWith('[') ? registry.indexOf(':', registry.indexOf(']')) : registry.indexOf(':');
  return portColon < 0 ? { host: registry, port: undefined } : { host: registry.slice(0, portColon), port: registry.slice(portColon + 1) };
}

/** Reads a normalized pattern (CompiledPattern.normalized), which always names its registry or opens with `**`. */
export function readNormalizedPattern(normalized: string): PatternShape {
  const { name, tag, digest } = splitNameTagDigest(normalized);
  const components = name.split('/');
  const first = components[0] ?? '';
  const registry = first === GLOBSTAR ? undefined : splitHostAndPort(first);
  const path = first === GLOBSTAR ? components : components.slice(1);
  // With a digest the runtime pulls exactly that content: a tag written beside it decides nothing.
  return { registry, path, tag: digest === undefined ? tag : undefined, digest };
}

/** Reads the name part of a pattern as written in the policy file. */
export function readWrittenName(source: string): WrittenName {
  const components = splitNameTagDigest(source).name.split('/');
  const first = components[0] ?? '';
  const hasRegistry = components.length > 1 && isRegistryComponent(first);
  return { registry: hasRegistry ? first : undefined, path: hasRegistry ? components.slice(1) : components };
}

export function formatRegistry(registry: { readonly host: string; readonly port: string | undefined }): string {
  return registry.port === undefined ? registry.host : `${registry.host}:${registry.port}`;
}

export function splitRegistryHost(registry: string): string {
  return splitHostAndPort(registry).host;
}
