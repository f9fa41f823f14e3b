// The bound on registry lookups: a saturated resolver makes further lookups wait for a slot
// (their request is not sent, so their deadline does not run), refuses them at once when too many
// already wait, and refuses those that waited as long as a lookup may take — each refusal marked
// `limited`, which evaluate treats as a denial whatever onError says.
import { LookupLimiter, TagResolver, type DigestSource, type TagReference } from '../../../src/registry';

const DIGEST = `sha256:${'d'.repeat(64)}`;

/** A registry whose answers the test releases by hand, recording which tags were sent. */
class HeldRegistry implements DigestSource {
  readonly sent: string[] = [];
  private readonly pending = new Map<string, () => void>();

  fetchDigest(reference: TagReference): Promise<string> {
    this.sent.push(reference.tag);
    return new Promise((resolve) => this.pending.set(reference.tag, () => resolve(DIGEST)));
  }

  answer(tag: string): void {
    this.pending.get(tag)?.();
  }
}

function tag(name: string): TagReference {
  return { registry: 'registry.example.com', repository: 'team/app', tag: name };
}

function createResolver(source: DigestSource, options: { slots: number; maxWaiting: number; maxWaitMs: number }): TagResolver {
  return new TagResolver({ source, cacheTtlMs: 60_000, cacheSize: 100, ...options });
}

test('lookups beyond the slots are not sent until a slot frees up', async () => {
  const registry = new HeldRegistry();
  const resolver = createResolver(registry, { slots: 2, maxWaiting: 10, maxWaitMs: 60_000 });
  const answers = ['a', 'b', 'c'].map((name) => resolver.resolve(tag(name)));
  await Promise.resolve();
  expect(registry.sent).toEqual(['a', 'b']);
  registry.answer('a');
  await answers[0];
  await new Promise(setImmediate);
  expect(registry.sent).toEqual(['a', 'b', 'c']);
  registry.answer('b');
  registry.answer('c');
  expect(await Promise.all(answers)).toEqual([1, 2, 3].map(() => ({ ok: true, digest: DIGEST })));
});

test('a lookup is refused at once, marked limited, when the waiting line is full', async () => {
  const registry = new HeldRegistry();
  const resolver = createResolver(registry, { slots: 1, maxWaiting: 1, maxWaitMs: 60_000 });
  const held = [resolver.resolve(tag('a')), resolver.resolve(tag('b'))];
  expect(await resolver.resolve(tag('c'))).toEqual({ ok: false, fault: 'registry registry.example.com: lookup refused: 1 lookups are already waiting for one of 1 slots', limited: true });
  expect(registry.sent).toEqual(['a']);
  registry.answer('a');
  await held[0];
  await new Promise(setImmediate);
  registry.answer('b');
  expect(await held[1]).toEqual({ ok: true, digest: DIGEST });
});

test('a lookup that waited as long as a lookup may take is refused, marked limited, and never sent', async () => {
  const registry = new HeldRegistry();
  const resolver = createResolver(registry, { slots: 1, maxWaiting: 10, maxWaitMs: 20 });
  const first = resolver.resolve(tag('a'));
  expect(await resolver.resolve(tag('b'))).toEqual({ ok: false, fault: 'registry registry.example.com: lookup refused: waited 20 ms for one of 1 slots', limited: true });
  expect(registry.sent).toEqual(['a']);
  registry.answer('a');
  expect(await first).toEqual({ ok: true, digest: DIGEST });
});

test('a refused lookup is not remembered: the same tag is looked up once a slot is free', async () => {
  const registry = new HeldRegistry();
  const resolver = createResolver(registry, { slots: 1, maxWaiting: 0, maxWaitMs: 60_000 });
  const first = resolver.resolve(tag('a'));
  expect(await resolver.resolve(tag('b'))).toMatchObject({ ok: false, limited: true });
  registry.answer('a');
  await first;
  const again = resolver.resolve(tag('b'));
  await Promise.resolve();
  registry.answer('b');
  expect(await again).toEqual({ ok: true, digest: DIGEST });
});

test('a released slot is released once, however often release is called', async () => {
  const limiter = new LookupLimiter(1, 0, 60_000);
  const slot = await limiter.acquire();
  if (!slot.ok) throw new Error('expected a slot');
  slot.release();
  slot.release();
  const [second, third] = await Promise.all([limiter.acquire(), limiter.acquire()]);
  expect(second.ok).toBe(true);
  expect(third).toEqual({ ok: false, fault: 'lookup refused: 0 lookups are already waiting for one of 1 slots' });
});
