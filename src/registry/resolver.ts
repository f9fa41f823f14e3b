// Tag -> digest with a bounded, expiring cache and request coalescing: however many reviews ask
// for the same tag at once, one registry request is made and every caller gets its answer.
// Failures are shared by the callers waiting at that moment but not cached, so a registry that
// comes back is used at once. Lookups take a slot of a bounded limiter before their request is
// sent, so a lookup's deadline never runs while it waits behind others.
import { type TagResolution, formatTagKey } from '../policy';
import { describeError } from '../errors';
import { type Clock, ExpiringLruCache } from './cache';
import type { TagReference } from './client';
import { RegistryLookupError } from './errors';
import { LookupLimiter } from './limiter';
import { MAX_SOCKETS_PER_HOST } from './transport';

/** Lookups waiting for a slot beyond which a new one is refused at once. */
export const MAX_WAITING_LOOKUPS = 256;

export interface DigestSource {
  fetchDigest(reference: TagReference): Promise<string>;
}

export interface TagResolverOptions {
  readonly source: DigestSource;
  readonly cacheTtlMs: number;
  readonly cacheSize: number;
  /** How long a lookup may wait for a slot: the lookup's own deadline. */
  readonly maxWaitMs: number;
  /** Lookups in flight at once; the registry transport keeps as many connections per host. */
  readonly slots?: number;
  readonly maxWaiting?: number;
  /** Shared with other readers of the same registries (signatures), so one bound covers them all. */
  readonly limiter?: LookupLimiter;
  readonly now?: Clock;
}

export class TagResolver {
  private readonly cache: ExpiringLruCache<string, string>;
  private readonly inFlight = new Map<string, Promise<TagResolution>>();
  private readonly limiter: LookupLimiter;

  constructor(private readonly options: TagResolverOptions) {
    this.cache = new ExpiringLruCache(options.cacheSize, options.now);
    this.limiter = options.limiter ?? new LookupLimiter(options.slots ?? MAX_SOCKETS_PER_HOST, options.maxWaiting ?? MAX_WAITING_LOOKUPS, options.maxWaitMs);
  }

  /** The cached digest, without waiting; undefined on a miss or an expired entry. */
  peek(key: string): string | undefined {
    return this.cache.get(key);
  }

  resolve(reference: TagReference): Promise<TagResolution> {
    const key = formatTagKey(reference);
    const cached = this.cache.get(key);
    if (cached !== undefined) return Promise.resolve({ ok: true, digest: cached });
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const lookup = this.lookUp(key, reference);
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookUp(key: string, reference: TagReference): Promise<TagResolution> {
    const slot = await this.limiter.acquire();
    if (!slot.ok) {
      this.inFlight.delete(key);
      return { ok: false, fault: `registry ${reference.registry}: ${slot.fault}`, limited: true };
    }
    try {
      const digest = await this.options.source.fetchDigest(reference);
      this.cache.set(key, digest, this.options.cacheTtlMs);
      return { ok: true, digest };
    } catch (error) {
      if (error instanceof RegistryLookupError) return { ok: false, fault: error.message };
      return { ok: false, fault: `registry ${reference.registry}: ${describeError(error)}` };
    } finally {
      slot.release();
      this.inFlight.delete(key);
    }
  }
}
