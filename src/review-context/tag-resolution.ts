// The tag resolver for one set of resolveTags settings, with the credentials and CA files it
// names kept current the way the policy is: watched, re-read on change, and swapped only when
// they parse. A broken edit is logged once and the working resolver stays; files that were
// never usable make every lookup fail closed with the reason, so onError decides. Signature
// reads go through the same client and the same bound on lookups in flight.
import { type ResolveTagsSettings } from '../policy';
import {
  LookupLimiter,
  MAX_SOCKETS_PER_HOST,
  MAX_WAITING_LOOKUPS,
  RegistryClient,
  RegistryLookupError,
  type RegistryCredential,
  RegistryTransport,
  TagResolver,
  parseCredentialsFile,
} from '../registry';
import { describeError } from '../errors';
import { type FileWatch, digestContents, readRegularFile, watchFiles } from '../reload';
import type { ReportWatcherOptions } from './report-watcher';

/** The credentials and CA files, already resolved against the policy file's folder. */
export interface ResolverFiles {
  readonly credentials: string | undefined;
  readonly ca: string | undefined;
}

/** A reports directory, credentials file or CA file the policy names cannot be used (at startup). */
export class ScanningSetupError extends Error {
  override readonly name = 'ScanningSetupError';
}

interface LoadedFiles {
  readonly digest: string;
  readonly credentials: ReadonlyMap<string, RegistryCredential>;
  readonly ca: string | undefined;
}

function loadFiles(files: ResolverFiles): LoadedFiles {
  const credentialBytes = files.credentials === undefined ? undefined : readRegularFile(files.credentials);
  const caBytes = files.ca === undefined ? undefined : readRegularFile(files.ca);
  return {
    digest: digestContents(credentialBytes, caBytes),
    credentials: credentialBytes === undefined || files.credentials === undefined ? new Map() : parseCredentialsFile(credentialBytes.toString('utf8'), files.credentials),
    ca: caBytes?.toString('utf8'),
  };
}

/** What another reader of the resolver's registries uses: its client, its bound and its deadline. */
export type RegistryAccess = { readonly client: RegistryClient; readonly limiter: LookupLimiter; readonly timeoutMs: number } | { readonly fault: string };

export class RegistryResolution {
  private current: TagResolver;
  private client: RegistryClient | undefined;
  private readonly limiter: LookupLimiter;
  private transport: RegistryTransport | undefined;
  private digest: string | undefined;
  private lastProblem: string | undefined;
  private readonly watch: FileWatch | undefined;

  constructor(
    private readonly settings: ResolveTagsSettings,
    private readonly files: ResolverFiles,
    private readonly options: ReportWatcherOptions,
    strict: boolean,
  ) {
    this.limiter = new LookupLimiter(MAX_SOCKETS_PER_HOST, MAX_WAITING_LOOKUPS, settings.timeoutMs);
    try {
      this.current = this.build(loadFiles(files));
    } catch (error) {
      const fault = `resolveTags: ${describeError(error)}`;
      if (strict) throw new ScanningSetupError(fault);
      this.lastProblem = fault;
      options.logger.error('tag resolution unusable; every lookup fails until its files are fixed', { issue: fault });
      const source = { fetchDigest: () => Promise.reject(new RegistryLookupError('configuration', fault)) };
      this.current = new TagResolver({ source, cacheTtlMs: settings.cacheTtlSeconds * 1000, cacheSize: settings.cacheSize, maxWaitMs: settings.timeoutMs, limiter: this.limiter });
    }
    const watched = [files.credentials, files.ca].filter((file): file is string => file !== undefined);
    this.watch =
      options.watch && watched.length > 0
        ? watchFiles({
            files: watched,
            onChange: () => this.refresh(),
            logger: options.logger,
            ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
            ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
          })
        : undefined;
  }

  resolver(): TagResolver {
    return this.current;
  }

  /** The working client, or why there is none (its credentials or CA file never loaded). */
  access(): RegistryAccess {
    if (this.client === undefined) return { fault: this.lastProblem ?? 'resolveTags: no registry client' };
    return { client: this.client, limiter: this.limiter, timeoutMs: this.settings.timeoutMs };
  }

  /** Re-reads the credentials and CA files; swaps the resolver only for changed files that parse. */
  refresh(): void {
    let loaded: LoadedFiles;
    try {
      loaded = loadFiles(this.files);
      if (loaded.digest === this.digest) return;
      const previous = this.transport;
      this.current = this.build(loaded);
      previous?.close();
    } catch (error) {
      const fault = `resolveTags: ${describeError(error)}`;
      if (fault !== this.lastProblem) this.options.logger.error('registry credentials or CA refused; the working ones stay in force', { issue: fault });
      this.lastProblem = fault;
      return;
    }
    this.lastProblem = undefined;
    this.options.logger.info('registry credentials and CA reloaded', { credentials: loaded.credentials.size });
  }

  close(): void {
    this.watch?.close();
    this.transport?.close();
  }

  private build(loaded: LoadedFiles): TagResolver {
    const { settings } = this;
    const transport = new RegistryTransport(loaded.ca);
    const client = new RegistryClient({ timeoutMs: settings.timeoutMs, credentials: loaded.credentials, plainHttpRegistries: settings.plainHttpRegistries, transport });
    this.transport = transport;
    this.client = client;
    this.digest = loaded.digest;
    return new TagResolver({ source: client, cacheTtlMs: settings.cacheTtlSeconds * 1000, cacheSize: settings.cacheSize, maxWaitMs: settings.timeoutMs, limiter: this.limiter });
  }
}
