// Gathers what evaluate needs beyond the policy, for the server and the CLI alike: the scan-report
// index of the policy's reports directory and the digests of the review's tags. Nothing is done
// for a policy without those sections, and a review whose tags are all cached gets its context
// synchronously: only a cache miss waits for the registry, and never blocks the event loop.
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
import { describeError } from '../errors';
import { ReportWatcher, type ReportWatcherOptions } from './report-watcher';
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

export class ReviewContextSource {
  private reports: ReportWatcher | undefined;
  private resolution: { readonly key: string; readonly handle: RegistryResolution } | undefined;
  /** The policy object last followed: a compiled policy never changes, a reload makes a new one. */
  private followed: CompiledPolicy | undefined;

  constructor(private readonly options: ReportWatcherOptions) {}

  /**
   * Context for one review under `policy`: a value when everything is at hand, a promise when a
   * tag must be looked up. Follows the policy: a new reports directory or new resolver settings
   * take effect on the first review after a reload.
   */
  prepare(policy: CompiledPolicy, review: ReviewSubject): PreparedContext {
    if (policy.vulnerabilities === undefined && policy.resolveTags === undefined) return NO_CONTEXT;
    this.follow(policy);
    const reports = this.reports?.current();
    const base: EvaluationContext = reports === undefined ? NO_CONTEXT : { reports };
    const resolver = this.resolution?.handle.resolver();
    if (resolver === undefined) return base;
    const resolutions = new Map<string, TagResolution>();
    const misses: TagToResolve[] = [];
    for (const tag of listTagsToResolve(policy, review.images)) {
      const key = formatTagKey(tag);
      const digest = resolver.peek(key);
      if (digest === undefined) misses.push(tag);
      else resolutions.set(key, { ok: true, digest });
    }
    if (misses.length === 0) return { ...base, resolutions };
    return Promise.all(misses.map(async (tag) => resolutions.set(formatTagKey(tag), await resolver.resolve(tag)))).then(() => ({ ...base, resolutions }));
  }

  /**
   * Reads the policy's reports directory and builds its resolver when they changed. With
   * `strict` (startup, one-shot commands) an unusable directory or file throws
   * ScanningSetupError; later the last good reports stay in force and lookups fail closed.
   */
  follow(policy: CompiledPolicy, strict = false): void {
    if (policy === this.followed) return;
    const directory = resolveAgainstPolicy(policy, policy.vulnerabilities?.reports);
    if (directory !== this.reports?.directory) this.replaceReports(directory, strict);
    this.followResolution(policy, strict);
    this.followed = policy;
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
