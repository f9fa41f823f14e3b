// Gathers what evaluate needs beyond the policy, for the server and the CLI alike: the scan-report
// index of the policy's reports directory, the digests of the review's tags and the verified
// signatures of the digests its signature rules cover. Nothing is done for a policy without those
// sections, and a review whose lookups are all cached gets its context synchronously: only a cache
// miss waits for the registry, and never blocks the event loop.
import path from 'node:path';
import {
  type CompiledPolicy,
  type EvaluationContext,
  type ResolveTagsSettings,
  type ReviewSubject,
  type TagResolution,
  type TagToResolve,
  formatTagKey,
  listTagsToResolve,
} from '../policy';
import type { Clock } from '../registry';
import { describeError } from '../errors';
import { KeyRing } from './key-ring';
import { ReportWatcher, type ReportWatcherOptions } from './report-watcher';
import { SignatureChecks } from './signature-checks';
import { RegistryResolution, type ResolverFiles, ScanningSetupError } from './tag-resolution';

const NO_CONTEXT: EvaluationContext = {};

export type PreparedContext = EvaluationContext | Promise<EvaluationContext>;

/** Files named in the policy are relative to the policy file, like a kubeconfig's. */
function resolveAgainstPolicy(policy: CompiledPolicy, file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.resolve(path.dirname(policy.source), file);
}

/** Identifies resolver settings by value, so reloading an unchanged policy keeps the warm cache. */
function describeSettings(settings: ResolveTagsSettings, files: ResolverFiles): string {
  const { registries, plainHttpRegistries, timeoutMs, cacheTtlSeconds, cacheSize } = settings;
  return JSON.stringify([[...registries].sort(), [...plainHttpRegistries].sort(), timeoutMs, cacheTtlSeconds, cacheSize, files.credentials ?? null, files.ca ?? null]);
}

/** Identifies the signature settings and key files by value, so reloading an unchanged policy keeps the keys and the cache. */
function describeSignatures(policy: CompiledPolicy): string | undefined {
  const signatures = policy.signatures;
  if (signatures === undefined) return undefined;
  const folder = path.dirname(policy.source);
  const files = [...signatures.keys.values()].map((entry) => [entry.name, path.resolve(folder, entry.file)]).sort();
  return JSON.stringify([files, signatures.cacheTtlSeconds, signatures.cacheSize]);
}

export interface ReviewContextOptions extends ReportWatcherOptions {
  /** The clock of the signature cache; tests move it instead of waiting. */
  readonly now?: Clock;
}

interface SignatureHandle {
  readonly key: string;
  readonly keys: KeyRing;
  readonly checks: SignatureChecks;
}

export class ReviewContextSource {
  private reports: ReportWatcher | undefined;
  private resolution: { readonly key: string; readonly handle: RegistryResolution } | undefined;
  private signatures: SignatureHandle | undefined;
  /** The policy object last followed: a compiled policy never changes, a reload makes a new one. */
  private followed: CompiledPolicy | undefined;

  constructor(private readonly options: ReviewContextOptions) {}

  /**
   * Context for one review under `policy`: a value when everything is at hand, a promise when a
   * tag must be looked up. Follows the policy: a new reports directory or new resolver settings
   * take effect on the first review after a reload.
   */
  prepare(policy: CompiledPolicy, review: ReviewSubject): PreparedContext {
    if (policy.vulnerabilities === undefined && policy.resolveTags === undefined && policy.signatures === undefined) return NO_CONTEXT;
    this.follow(policy);
    const reports = this.reports?.current();
    const base: EvaluationContext = reports === undefined ? NO_CONTEXT : { reports };
    const resolved = this.resolveTags(policy, review);
    const withSignatures = (resolutions: ReadonlyMap<string, TagResolution> | undefined): PreparedContext => {
      const context = resolutions === undefined ? base : { ...base, resolutions };
      const checks = this.signatures?.checks;
      if (checks === undefined) return context;
      const verifications = checks.check(policy, review, resolutions);
      return verifications instanceof Promise ? verifications.then((ready) => ({ ...context, verifications: ready })) : { ...context, verifications };
    };
    // Signatures are checked against the digests the tags resolved to, so they come second.
    return resolved instanceof Promise ? resolved.then(withSignatures) : withSignatures(resolved);
  }

  private resolveTags(policy: CompiledPolicy, review: ReviewSubject): ReadonlyMap<string, TagResolution> | Promise<ReadonlyMap<string, TagResolution>> | undefined {
    const resolver = this.resolution?.handle.resolver();
    if (resolver === undefined) return undefined;
    const resolutions = new Map<string, TagResolution>();
    const misses: TagToResolve[] = [];
    for (const tag of listTagsToResolve(policy, review.images)) {
      const key = formatTagKey(tag);
      const digest = resolver.peek(key);
      if (digest === undefined) misses.push(tag);
      else resolutions.set(key, { ok: true, digest });
    }
    if (misses.length === 0) return resolutions;
    return Promise.all(misses.map(async (tag) => resolutions.set(formatTagKey(tag), await resolver.resolve(tag)))).then(() => resolutions);
  }

  /**
   * Reads the policy's reports directory, builds its resolver and reads its signature keys when
   * they changed. With `strict` (startup, one-shot commands) an unusable directory or file throws
   * ScanningSetupError; later the last good reports and keys stay in force and lookups fail closed.
   */
  follow(policy: CompiledPolicy, strict = false): void {
    if (policy === this.followed) return;
    const directory = resolveAgainstPolicy(policy, policy.vulnerabilities?.reports);
    if (directory !== this.reports?.directory) this.replaceReports(directory, strict);
    this.followResolution(policy, strict);
    this.followSignatures(policy, strict);
    this.followed = policy;
  }

  private followSignatures(policy: CompiledPolicy, strict: boolean): void {
    const key = describeSignatures(policy);
    if (key === this.signatures?.key) return;
    this.signatures?.keys.close();
    this.signatures = undefined;
    if (key === undefined || policy.signatures === undefined) return;
    const keys = new KeyRing(policy.signatures.keys.values(), path.dirname(policy.source), this.options, strict);
    const checks = new SignatureChecks({
      cacheTtlMs: policy.signatures.cacheTtlSeconds * 1000,
      cacheSize: policy.signatures.cacheSize,
      keys,
      registry: () => this.resolution?.handle.access() ?? { fault: 'resolveTags is disabled' },
      ...(this.options.now === undefined ? {} : { now: this.options.now }),
    });
    this.signatures = { key, keys, checks };
  }

  private followResolution(policy: CompiledPolicy, strict: boolean): void {
    const settings = policy.resolveTags;
    if (settings === undefined) {
      this.resolution?.handle.close();
      this.resolution = undefined;
      return;
    }
    const files = { credentials: resolveAgainstPolicy(policy, settings.credentialsFile), ca: resolveAgainstPolicy(policy, settings.caFile) };
    const key = describeSettings(settings, files);
    if (key === this.resolution?.key) return;
    const handle = new RegistryResolution(settings, files, this.options, strict);
    this.resolution?.handle.close();
    this.resolution = { key, handle };
  }

  close(): void {
    this.reports?.close();
    this.resolution?.handle.close();
    this.signatures?.keys.close();
  }

  private replaceReports(directory: string | undefined, strict: boolean): void {
    if (directory === undefined) {
      this.reports?.close();
      this.reports = undefined;
      return;
    }
    const fallback = this.reports?.current();
    let next: ReportWatcher;
    try {
      next = new ReportWatcher(directory, this.options, fallback === undefined ? { strict } : { strict, fallback });
    } catch (error) {
      throw new ScanningSetupError(describeError(error));
    }
    this.reports?.close();
    this.reports = next;
  }
}
