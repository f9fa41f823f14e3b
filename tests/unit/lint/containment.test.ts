// The cover tests behind "shadowed" warnings. A yes must always be right (a wrong yes would tell
// an operator to delete an entry that still admits images); the property test checks that
// against the real matcher on random globs and images.
import fc from 'fast-check';
import { denyCoversAllow, pathCovers, readNormalizedPattern, starGlobCovers } from '../../../src/lint';
import { evaluate, loadPolicy } from '../../../src/policy';

describe('starGlobCovers', () => {
  test.each([
    { name: 'identical literals', outer: 'nginx', inner: 'nginx', covers: true },
    { name: 'different literals', outer: 'nginx', inner: 'nginy', covers: false },
    { name: 'star covers a literal', outer: '*', inner: 'nginx', covers: true },
    { name: 'star covers a star', outer: '*', inner: '*', covers: true },
    { name: 'literal never covers a star', outer: 'nginx', inner: '*', covers: false },
    { name: 'prefix glob covers a longer prefix glob', outer: 'ng*', inner: 'nginx*', covers: true },
    { name: 'longer prefix glob does not cover a shorter one', outer: 'nginx*', inner: 'ng*', covers: false },
    { name: 'infix globs', outer: '*a*b*', inner: 'xa*yb', covers: true },
    { name: 'star in the middle', outer: 'v1.*', inner: 'v1.2*', covers: true },
    { name: 'empty star run', outer: 'a*b', inner: 'ab', covers: true },
  ])('$name', ({ outer, inner, covers }) => {
    expect(starGlobCovers(outer, inner)).toBe(covers);
  });
});

describe('pathCovers', () => {
  test.each([
    { name: '** covers anything', outer: ['**'], inner: ['a', '*', '**'], covers: true },
    { name: '* never covers **', outer: ['org', '*'], inner: ['org', '**'], covers: false },
    { name: 'org/** covers org/*/x', outer: ['org', '**'], inner: ['org', '*', 'x'], covers: true },
    { name: 'lengths must agree without **', outer: ['a', 'b'], inner: ['a'], covers: false },
    { name: '** in the middle', outer: ['a', '**', 'z'], inner: ['a', 'b', 'c', 'z'], covers: true },
  ])('$name', ({ outer, inner, covers }) => {
    expect(pathCovers(outer, inner)).toBe(covers);
  });
});

describe('denyCoversAllow agrees with the matcher', () => {
  interface PatternParts {
    readonly registry: string;
    readonly path: readonly string[];
    readonly tag: string | undefined;
  }
  const component = fc.constantFrom('a', 'b', 'ab', '*', 'a*', '*b');
  const partsArb: fc.Arbitrary<PatternParts> = fc.record({
    registry: fc.constantFrom('r.io', 'r.io:5000', 'q.io', '*.io', '**'),
    path: fc.array(fc.oneof(component, fc.constant('**')), { minLength: 1, maxLength: 3 }),
    tag: fc.option(fc.constantFrom('1', '1*', '*', 'latest'), { nil: undefined }),
  });
  const fill = fc.constantFrom('', 'a', 'b', 'ab');
  const word = fc.constantFrom('a', 'b', 'ab');

  function writePattern({ registry, path, tag }: PatternParts): string {
    return `${registry}/${path.join('/')}${tag === undefined ? '' : `:${tag}`}`;
  }

  function instantiateGlob(glob: string): fc.Arbitrary<string> {
    if (glob === '*') return word;
    const pieces = glob.split('*');
    return fc.array(fill, { minLength: pieces.length - 1, maxLength: pieces.length - 1 }).map((fills) => pieces.reduce((text, piece, index) => text + piece + (fills[index] ?? ''), ''));
  }

  /** Images the allow pattern matches by construction: every wildcard filled in at random. */
  function instantiate(parts: PatternParts): fc.Arbitrary<string> {
    const registry = parts.registry === '**' ? fc.constantFrom('r.io', 'r.io:5000', 'q.io', 'x.io') : parts.registry === '*.io' ? fc.constantFrom('r.io', 'q.io', 'x.io') : fc.constant(parts.registry);
    const segments = [...(parts.registry === '**' ? ['**'] : []), ...parts.path].map((segment) =>
      segment === '**' ? fc.array(word, { maxLength: 2 }) : instantiateGlob(segment).map((text) => [text]),
    );
    const tag = parts.tag === undefined ? fc.constantFrom('1', '12', 'latest', '2') : instantiateGlob(parts.tag);
    return fc.tuple(registry, fc.tuple(...segments), tag).map(([host, pieces, chosenTag]) => {
      const path = pieces.flat();
      return `${host}/${(path.length === 0 ? ['a'] : path).join('/')}:${chosenTag}`;
    });
  }

  const caseArb = fc.tuple(partsArb, partsArb).chain(([deny, allow]) => fc.tuple(fc.constant(deny), fc.constant(allow), fc.array(instantiate(allow), { minLength: 1, maxLength: 10 })));

  test('whenever deny covers allow, every image the allow entry matches is denied', () => {
    let covered = 0;
    fc.assert(
      fc.property(caseArb, ([deny, allow, images]) => {
        const text = `apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: p}\nallow: [${JSON.stringify(writePattern(allow))}]\ndeny: [${JSON.stringify(writePattern(deny))}]\n`;
        const policy = loadPolicy(text, 'p.yaml');
        const allowPattern = policy.allow.patterns[0];
        const denyPattern = policy.deny.patterns[0];
        if (allowPattern === undefined || denyPattern === undefined) throw new Error('a pattern went missing');
        const allowOnly = loadPolicy(text.replace(/deny: .*\n/, ''), 'p.yaml');
        for (const image of images) expect(evaluate(allowOnly, { images: [image], namespace: 'default', annotations: {} }).enforcedAllowed).toBe(true);
        if (!denyCoversAllow(readNormalizedPattern(denyPattern.normalized), readNormalizedPattern(allowPattern.normalized))) return;
        covered += 1;
        for (const image of images) expect(evaluate(policy, { images: [image], namespace: 'default', annotations: {} }).enforcedAllowed).toBe(false);
      }),
      { numRuns: 1000 },
    );
    // The property must have been exercised, not vacuously true.
    expect(covered).toBeGreaterThan(20);
  });
});
