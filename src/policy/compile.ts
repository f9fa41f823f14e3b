// Turns a validated policy document into the CompiledPolicy that evaluate reads: every pattern
// and namespace glob compiled once, defaults applied, and the content hash that names this
// exact policy in decisions and logs.
import { createHash } from 'node:crypto';
import { CompiledPattern, type PatternKind, PatternSet } from './matcher';
import { NamespaceGlob } from './namespace-glob';
import type { PatternSpec } from './pattern';
import {
  type CompiledVulnerabilities,
  type ResolveTagsSettings,
  type VulnerabilityOverlay,
  compileResolveTags,
  compileVulnerabilities,
  compileVulnerabilityOverlay,
} from './scanning';
import type { PolicyDocument, PolicyMode } from './schema';
import { type CompiledSignatures, type SignatureRule, compileSignatureRules, compileSignatures } from './signature-rules';

/** Hex digits of the sha256 kept in the policy hash: enough to tell versions apart in logs. */
export const POLICY_HASH_LENGTH = 12;

/** A namespace overlay; undefined settings leave the global (or an earlier overlay's) value. */
export interface CompiledOverlay {
  /** Where the overlay is written, e.g. `namespaces[1]`. */
  readonly origin: string;
  readonly names: readonly NamespaceGlob[];
  readonly allow: PatternSet;
  readonly deny: PatternSet;
  readonly mode: PolicyMode | undefined;
  readonly requireDigest: boolean | undefined;
  readonly breakGlass: boolean | undefined;
  readonly vulnerabilities: VulnerabilityOverlay | undefined;
  /** Signature rules added in these namespaces (empty when the overlay has none). */
  readonly signatureRules: readonly SignatureRule[];
}

export interface CompiledPolicy {
  readonly name: string;
  /** First POLICY_HASH_LENGTH hex digits of the sha256 of the policy text (UTF-8). */
  readonly hash: string;
  /** The file name the policy was loaded from, as given to loadPolicy. */
  readonly source: string;
  readonly mode: PolicyMode;
  readonly requireDigest: boolean;
  readonly breakGlass: boolean;
  readonly allow: PatternSet;
  readonly deny: PatternSet;
  readonly namespaces: readonly CompiledOverlay[];
  /** Scan-report gating; undefined when the policy has no vulnerabilities section. */
  readonly vulnerabilities: CompiledVulnerabilities | undefined;
  /** Tag resolution; undefined unless the policy enables it. */
  readonly resolveTags: ResolveTagsSettings | undefined;
  /** Signature verification; undefined when no section of the file asks for it. */
  readonly signatures: CompiledSignatures | undefined;
  readonly limits: { readonly maxImagesPerReview: number };
}

export function hashPolicyText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, POLICY_HASH_LENGTH);
}

function compilePatterns(specs: readonly PatternSpec[] | undefined, kind: PatternKind, prefix: string): PatternSet {
  return new PatternSet((specs ?? []).map((spec, index) => new CompiledPattern(spec, kind, `${prefix}${kind}[${index}]`)));
}

export function compilePolicy(document: PolicyDocument, text: string, fileName: string): CompiledPolicy {
  const namespaces = document.namespaces.map((overlay, index): CompiledOverlay => {
    const origin = `namespaces[${index}]`;
    return {
      origin,
      names: overlay.names.map((glob) => new NamespaceGlob(glob)),
      allow: compilePatterns(overlay.allow, 'allow', `${origin}.`),
      deny: compilePatterns(overlay.deny, 'deny', `${origin}.`),
      mode: overlay.mode,
      requireDigest: overlay.requireDigest,
      breakGlass: overlay.breakGlass,
      vulnerabilities: compileVulnerabilityOverlay(overlay.vulnerabilities, origin),
      signatureRules: compileSignatureRules(overlay.signatures?.require, `${origin}.`),
    };
  });
  return {
    name: document.metadata.name,
    hash: hashPolicyText(text),
    source: fileName,
    mode: document.mode,
    requireDigest: document.requireDigest,
    breakGlass: document.breakGlass,
    allow: compilePatterns(document.allow, 'allow', ''),
    deny: compilePatterns(document.deny, 'deny', ''),
    namespaces,
    vulnerabilities: compileVulnerabilities(document.vulnerabilities),
    resolveTags: compileResolveTags(document.resolveTags),
    signatures: compileSignatures(document),
    limits: { maxImagesPerReview: document.limits.maxImagesPerReview },
  };
}
