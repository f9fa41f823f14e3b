// ExpiringLruCache: entries expire after their TTL (time is moved, not waited for), the least
// recently used entry goes first when full, and a hit counts as a use.
import { ExpiringLruCache } from '../../../src/registry';

let now = 0;
const clock = (): number => now;

beforeEach(() => {
  now = 1_000;
});

test.each([
  { name: 'hit before the TTL', advance: 999, want: 'a' },
  { name: 'expired at the TTL', advance: 1_000, want: undefined },
  { name: 'expired after the TTL', advance: 5_000, want: undefined },
])('$name', ({ advance, want }) => {
  const cache = new ExpiringLruCache<string, string>(10, clock);
  cache.set('k', 'a', 1_000);
  now += advance;
  expect(cache.get('k')).toBe(want);
});

test('the least recently used entry is evicted; a get counts as a use', () => {
  const cache = new ExpiringLruCache<string, number>(2, clock);
  cache.set('a', 1, 1_000);
  cache.set('b', 2, 1_000);
  cache.get('a');
  cache.set('c', 3, 1_000);
  expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  expect(cache.size).toBe(2);
});

test('setting a key again replaces value and TTL', () => {
  const cache = new ExpiringLruCache<string, string>(2, clock);
  cache.set('k', 'old', 10);
  cache.set('k', 'new', 1_000);
  now += 500;
  expect(cache.get('k')).toBe('new');
  expect(cache.size).toBe(1);
});

test.each([
  { name: 'zero', size: 0 },
  { name: 'negative', size: -1 },
  { name: 'fraction', size: 1.5 },
])('a cache of size $name is refused', ({ size }) => {
  expect(() => new ExpiringLruCache(size)).toThrow(RangeError);
});
