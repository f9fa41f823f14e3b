// The compiled `signatures` sections: the key files the policy names (read by whoever loads the
// policy, never here) and the rules, each a set of repository patterns and the keys any one of
// which must have signed an image's digest. Rule patterns match the way deny patterns do (a host
// without a port covers every port): a requirement, like a denial, must not be sidestepped.
import { formatKeySet } from './context';
import { CompiledPattern, PatternSet } from './matcher';
import type { PolicyDocument } from './schema';
import { DEFAULT_MAX_SIGNED_IMAGES_PER_REVIEW, DEFAULT_SIGNATURE_CACHE_SIZE, DEFAULT_SIGNATURE_CACHE_TTL_SECONDS } from './signature-schema';

export interface SignatureKeyEntry {
  readonly name: string;
  /** As written in the policy: relative paths resolve against the policy file's folder. */
  readonly file: string;
  /** Where the entry is written, for messages that point at it: `['signatures', 'keys', 'ci']`. */
  readonly path: readonly (string | number)[];
}

export interface SignatureRule {
  /** Where the rule is written, e.g. `signatures.require[0]` or `namespaces[1].signatures.require[0]`. */
  readonly origin: string;
  readonly images: PatternSet;
  /** Key names as written; a valid signature by any one of them suffices. */
  readonly keys: readonly string[];
  readonly checkRepository: boolean;
  /** formatKeySet of the keys and the repository check: how the rule's checks are keyed. */
  readonly keySet: string;
}

export interface CompiledSignatures {
  /** Every key the file defines, global and in overlays (names are unique in the file). */
  readonly keys: ReadonlyMap<string, SignatureKeyEntry>;
  /** The global rules; overlays carry their own. */
  readonly rules: readonly SignatureRule[];
  readonly cacheTtlSeconds: number;
  readonly cacheSize: number;
  readonly maxImagesPerReview: number;
}

type RuleDocuments = NonNullable<NonNullable<PolicyDocument['signatures']>['require']>;
type KeyDocuments = Readonly<Record<string, string>>;

export function compileSignatureRules(rules: RuleDocuments | undefined, prefix: string): SignatureRule[] {
  return (rules ?? []).map((rule, index) => {
    const origin = `${prefix}signatures.require[${index}]`;
    const images = new PatternSet(rule.images.map((spec, position) => new CompiledPattern(spec, 'deny', `${origin}.images[${position}]`)));
    return { origin, images, keys: rule.keys, checkRepository: rule.checkRepository, keySet: formatKeySet(rule.keys, rule.checkRepository) };
  });
}

function listKeys(keys: KeyDocuments | undefined, parent: readonly (string | number)[]): SignatureKeyEntry[] {
  return Object.entries(keys ?? {}).map(([name, file]) => ({ name, file, path: [...parent, 'keys', name] }));
}

/** Undefined when neither the file nor any overlay has a signatures section. */
export function compileSignatures(document: PolicyDocument): CompiledSignatures | undefined {
  const section = document.signatures;
  const overlayKeys = document.namespaces.flatMap((overlay, index) => listKeys(overlay.signatures?.keys, ['namespaces', index, 'signatures']));
  if (section === undefined && !document.namespaces.some((overlay) => overlay.signatures !== undefined)) return undefined;
  const entries = [...listKeys(section?.keys, ['signatures']), ...overlayKeys];
  return {
    keys: new Map(entries.map((entry) => [entry.name, entry])),
    rules: compileSignatureRules(section?.require, ''),
    cacheTtlSeconds: section?.cacheTTLSeconds ?? DEFAULT_SIGNATURE_CACHE_TTL_SECONDS,
    cacheSize: section?.cacheSize ?? DEFAULT_SIGNATURE_CACHE_SIZE,
    maxImagesPerReview: section?.maxImagesPerReview ?? DEFAULT_MAX_SIGNED_IMAGES_PER_REVIEW,
  };
}
