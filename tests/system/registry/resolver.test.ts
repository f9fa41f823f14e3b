// TagResolver against a real docker-registry: the cache keeps a digest for its TTL (a moved or
// deleted tag is seen once the entry expires; time is moved, not waited for), N concurrent
// lookups of one tag make exactly one registry request (counted in the registry's access log),
// failures are not cached, and a hung registry never holds up the event loop.
import { formatTagKey } from '../../../src/policy';
import { RegistryClient, RegistryTransport, TagResolver, type TagReference } from '../../../src/registry';
import { startSilentServer, type RunningPeer } from '../../support/registry-peers';
import { buildImageLayout, deleteImage, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';

const TTL_MS = 60_000;
const CONCURRENT_LOOKUPS = 50;
// A lookup at the local registry takes milliseconds; the generous deadline is for a loaded machine.
const TIMEOUT_MS = 10_000;

let registry: RunningRegistry;
let silent: RunningPeer;
let layout: { layout: string; remove(): void };
let transport: RegistryTransport;
let digests: { v1: string; v2: string };
let clock = 0;

beforeAll(async () => {
  await requireRegistryTools();
  [registry, silent, layout] = await Promise.all([startRegistry(), startSilentServer(), buildImageLayout(['v1', 'v2'])]);
  transport = new RegistryTransport(undefined);
  digests = {
    v1: await pushImage(registry, layout.layout, 'v1', 'team/moving:stable'),
    v2: await pushImage(registry, layout.layout, 'v2', 'team/other:v2'),
  };
});

afterAll(async () => {
  transport?.close();
  await Promise.all([registry?.stop(), silent?.stop()]);
  layout?.remove();
});

function createResolver(options: { cacheSize?: number; timeoutMs?: number; hosts?: readonly string[] } = {}): TagResolver {
  const client = new RegistryClient({
    timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    credentials: new Map(),
    plainHttpRegistries: new Set(options.hosts ?? [registry.host]),
    transport,
  });
  return new TagResolver({ source: client, cacheTtlMs: TTL_MS, cacheSize: options.cacheSize ?? 100, maxWaitMs: options.timeoutMs ?? TIMEOUT_MS, now: () => clock });
}

function tag(repository: string, name: string, host = registry.host): TagReference {
  return { registry: host, repository, tag: name };
}

function manifestPath(reference: TagReference): string {
  return `/v2/${reference.repository}/manifests/${reference.tag}`;
}

test('a tag moved to another digest is seen once the cached entry expires', async () => {
  const resolver = createResolver();
  const reference = tag('team/moving', 'stable');
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest: digests.v1 });
  await pushImage(registry, layout.layout, 'v2', 'team/moving:stable');
  clock += TTL_MS - 1;
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest: digests.v1 });
  expect(resolver.peek(formatTagKey(reference))).toBe(digests.v1);
  clock += 1;
  expect(resolver.peek(formatTagKey(reference))).toBeUndefined();
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest: digests.v2 });
});

test('a deleted tag is reported as not found once the cached entry expires', async () => {
  const resolver = createResolver();
  const digest = await pushImage(registry, layout.layout, 'v1', 'team/doomed:v1');
  const reference = tag('team/doomed', 'v1');
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest });
  await deleteImage(registry, 'team/doomed:v1');
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest });
  clock += TTL_MS;
  expect(await resolver.resolve(reference)).toEqual({ ok: false, fault: `registry ${registry.host}: tag v1 not found (HTTP 404)` });
});

test(`${CONCURRENT_LOOKUPS} concurrent lookups of one tag make exactly one registry request`, async () => {
  const resolver = createResolver();
  const digest = await pushImage(registry, layout.layout, 'v1', 'team/popular:v1');
  const reference = tag('team/popular', 'v1');
  const before = await registry.countRequests('HEAD', manifestPath(reference));
  const results = await Promise.all(Array.from({ length: CONCURRENT_LOOKUPS }, () => resolver.resolve(reference)));
  expect(new Set(results.map((result) => JSON.stringify(result)))).toEqual(new Set([JSON.stringify({ ok: true, digest })]));
  expect(await registry.countRequests('HEAD', manifestPath(reference))).toBe(before + 1);
  // Cached now: more lookups within the TTL make no request at all.
  await Promise.all(Array.from({ length: CONCURRENT_LOOKUPS }, () => resolver.resolve(reference)));
  expect(await registry.countRequests('HEAD', manifestPath(reference))).toBe(before + 1);
});

test('concurrent lookups of different tags are not merged', async () => {
  const resolver = createResolver();
  const references = [tag('team/moving', 'stable'), tag('team/other', 'v2')];
  const counts = await Promise.all(references.map((reference) => registry.countRequests('HEAD', manifestPath(reference))));
  const results = await Promise.all(references.map((reference) => resolver.resolve(reference)));
  expect(results.every((result) => result.ok)).toBe(true);
  for (const [index, reference] of references.entries()) {
    expect(await registry.countRequests('HEAD', manifestPath(reference))).toBe((counts[index] ?? 0) + 1);
  }
});

test('a failure is shared by concurrent callers but not cached', async () => {
  const resolver = createResolver();
  const reference = tag('team/late', 'v1');
  const path = manifestPath(reference);
  const before = await registry.countRequests('HEAD', path);
  const failures = await Promise.all([resolver.resolve(reference), resolver.resolve(reference), resolver.resolve(reference)]);
  expect(failures).toEqual(Array(3).fill({ ok: false, fault: `registry ${registry.host}: tag v1 not found (HTTP 404)` }));
  expect(await registry.countRequests('HEAD', path)).toBe(before + 1);
  const digest = await pushImage(registry, layout.layout, 'v1', 'team/late:v1');
  expect(await resolver.resolve(reference)).toEqual({ ok: true, digest });
});

test('the cache is bounded: the least recently used tag is evicted', async () => {
  const resolver = createResolver({ cacheSize: 1 });
  const first = tag('team/moving', 'stable');
  const second = tag('team/other', 'v2');
  await resolver.resolve(first);
  await resolver.resolve(second);
  expect(resolver.peek(formatTagKey(first))).toBeUndefined();
  expect(resolver.peek(formatTagKey(second))).toBe(digests.v2);
});

test('a hung registry does not hold up the event loop while the lookup waits', async () => {
  const host = new URL(silent.url).host;
  const resolver = createResolver({ hosts: [host], timeoutMs: 500 });
  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 10);
  const result = await resolver.resolve(tag('team/app', 'v1', host));
  clearInterval(ticker);
  expect(result).toEqual({ ok: false, fault: `registry ${host}: no answer within 500 ms` });
  expect(ticks).toBeGreaterThan(5);
});
