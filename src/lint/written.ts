// Lint rules on how one pattern is written: legal, but probably not what its author meant. Each
// rule looks at the written text beside the normalized form the matcher actually uses.
import { DEFAULT_REGISTRY } from '../reference';
import type { PatternKind, WarningRule } from './warning';
import { GLOBSTAR, type PatternShape, STAR, type WrittenName, formatRegistry, splitRegistryHost } from './shape';

export interface PatternFinding {
  readonly rule: WarningRule;
  readonly message: string;
  /** Patterns that would close what the warning points at; each one loads as written. */
  readonly fixes?: readonly string[];
}

/** Stands in for `*` in an example of an unintended match. */
const EXAMPLE_TEXT = 'evil';
/**
 * Words that name registries, not Docker Hub organisations. A dotless first component made of
 * them (`internal/app`, `harbor-01/team/app`) is read as docker.io/internal/app, which is
 * almost surely not what was meant.
 */
const HOST_WORDS: ReadonlySet<string> = new Set([
  'registry', 'reg', 'internal', 'intranet', 'corp', 'local', 'lan', 'private', 'harbor', 'artifactory',
  'nexus', 'jfrog', 'gitlab', 'mirror', 'ghcr', 'gcr', 'quay', 'ecr', 'acr',
]);
const HOST_WORD_SEPARATORS = /[-_.\d]+/;

function findGluedPieces(written: WrittenName): string[] {
  const hostLabels = written.registry === undefined ? [] : splitRegistryHost(written.registry).split('.');
  return [...hostLabels, ...written.path].filter((piece) => piece !== STAR && piece !== GLOBSTAR && piece.includes(STAR));
}

function describeGlued(piece: string): string {
  const example = piece.split(STAR).join(EXAMPLE_TEXT);
  const stem = piece.endsWith(STAR) && piece.indexOf(STAR) === piece.length - 1 ? piece.slice(0, -1) : undefined;
  const fix = stem === undefined ? '' : `; for what is under "${stem}" write "${stem}/**"`;
  return `"${piece}" glues "*" to text, so it also matches "${example}"${fix}`;
}

export function checkGluedGlob(written: WrittenName): PatternFinding | undefined {
  const glued = findGluedPieces(written);
  if (glued.length === 0) return undefined;
  return { rule: 'glued-glob', message: `${glued.map(describeGlued).join('; ')}: "*" matches inside one component, never a boundary` };
}

export function checkRegistryGlobstar(written: WrittenName, kind: PatternKind): PatternFinding | undefined {
  // `**:latest` in deny is the idiom for "everywhere"; only an allow entry opens every registry.
  if (kind !== 'allow' || written.registry !== undefined || written.path[0] !== GLOBSTAR) return undefined;
  return {
    rule: 'registry-globstar',
    message: '"**" in the registry position admits this path from every registry, including one an attacker runs; name the registry',
  };
}

function looksLikeHost(component: string): boolean {
  if (HOST_WORDS.has(component)) return true;
  return component.split(HOST_WORD_SEPARATORS).some((word) => HOST_WORDS.has(word));
}

export function checkHostLikeNamespace(written: WrittenName): PatternFinding | undefined {
  const first = written.path[0];
  if (written.registry !== undefined || written.path.length < 2 || first === undefined || !looksLikeHost(first)) return undefined;
  return {
    rule: 'host-like-namespace',
    message: `"${first}" has no "." or ":", so it is a Docker Hub namespace: this means ${DEFAULT_REGISTRY}/${written.path.join('/')}; for a registry write its full host name (or host:port)`,
  };
}

/** Surprises of normalization: the registry written differently, or library/ slipped in. */
export function checkSurprisingNormalization(written: WrittenName, shape: PatternShape, normalized: string): PatternFinding | undefined {
  const reasons: string[] = [];
  if (written.registry !== undefined && shape.registry !== undefined && written.registry !== formatRegistry(shape.registry)) {
    reasons.push(`registry "${written.registry}" is "${formatRegistry(shape.registry)}"`);
  }
  const only = written.path.length === 1 ? written.path[0] : undefined;
  const isDockerHub = shape.registry?.host === DEFAULT_REGISTRY && shape.registry.port === undefined;
  // `nginx` meaning docker.io/library/nginx is documented and expected; `docker.io/nginx` and `*` are not.
  if (isDockerHub && only !== undefined && only !== GLOBSTAR && (written.registry !== undefined || only.includes(STAR))) {
    reasons.push(`a one-component Docker Hub path gets "library/"${only.includes(STAR) ? ', so it matches official images only' : ''}`);
  }
  if (reasons.length === 0) return undefined;
  return { rule: 'surprising-normalization', message: `reads as ${normalized}: ${reasons.join('; ')}` };
}
