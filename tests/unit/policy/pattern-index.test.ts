// The pattern index must find exactly what a scan of the list in file order finds. Named rows pin
// the cases where a bucketed lookup could go wrong (earliest match across buckets, tag versus
// digest pins, deny on any port, host globs, IPv6 hosts), and a property compares the index with
// the scan on random patterns and images drawn from small alphabets, so that they collide often.
import fc from 'fast-check';
import { parseImageReference } from '../../../src/reference';
import { CompiledPattern, type PatternKind, PatternSet, prepareSubject } from '../../../src/policy/matcher';
import { parsePattern } from '../../../src/policy/pattern';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function compile(sources: readonly string[], kind: PatternKind): PatternSet {
  return new PatternSet(
    sources.map((source, index) => {
      const parsed = parsePattern(source);
      if (!parsed.ok) throw new Error(`bad test pattern ${source}: ${parsed.fault}`);
      return new CompiledPattern(parsed.value, kind, `${kind}[${index}]`);
    }),
  );
}

function scan(set: PatternSet, image: string): CompiledPattern | undefined {
  const subject = prepareSubject(parseImageReference(image));
  return set.patterns.find((pattern) => pattern.matches(subject));
}

function lookUp(set: PatternSet, image: string): CompiledPattern | undefined {
  return set.findMatch(prepareSubject(parseImageReference(image)));
}

describe('index lookups', () => {
  test.each<{ name: string; patterns: string[]; kind?: PatternKind; image: string; want: string | undefined }>([
    { name: 'exact repository', patterns: ['quay.io/a/b', 'quay.io/a/c'], image: 'quay.io/a/c:1', want: 'allow[1]' },
    { name: 'earliest match wins across buckets: glob before exact', patterns: ['quay.io/**', 'quay.io/a/b'], image: 'quay.io/a/b:1', want: 'allow[0]' },
    { name: 'earliest match wins across buckets: exact before glob', patterns: ['quay.io/a/b', 'quay.io/**'], image: 'quay.io/a/b:1', want: 'allow[0]' },
    { name: 'earliest match wins across hosts: any-registry pattern first', patterns: ['**:1', 'quay.io/a/b:1'], image: 'quay.io/a/b:1', want: 'allow[0]' },
    { name: 'earliest match wins: host glob before literal host', patterns: ['*.example.com/app', 'r.example.com/app'], image: 'r.example.com/app:2', want: 'allow[0]' },
    { name: 'literal prefix then star', patterns: ['quay.io/a/x-*', 'quay.io/a/*'], image: 'quay.io/a/x-1:1', want: 'allow[0]' },
    { name: 'literal prefix does not reach a shorter path', patterns: ['quay.io/a/b/*'], image: 'quay.io/a/b:1', want: undefined },
    { name: 'globstar below a literal prefix matches deeper paths', patterns: ['quay.io/a/**'], image: 'quay.io/a/b/c/d:1', want: 'allow[0]' },
    { name: 'tag pin: same tag', patterns: ['quay.io/a/b:1', 'quay.io/a/b:2'], image: 'quay.io/a/b:2', want: 'allow[1]' },
    { name: 'tag pin: other tag misses', patterns: ['quay.io/a/b:1'], image: 'quay.io/a/b:3', want: undefined },
    { name: 'tag pin never matches an image that also has a digest', patterns: ['quay.io/a/b:1'], image: `quay.io/a/b:1@${DIGEST_A}`, want: undefined },
    { name: 'tag glob is not filed under a tag', patterns: ['quay.io/a/b:1.*'], image: 'quay.io/a/b:1.5', want: 'allow[0]' },
    { name: 'digest pin: same digest', patterns: [`quay.io/a/b@${DIGEST_B}`, `quay.io/a/b@${DIGEST_A}`], image: `quay.io/a/b@${DIGEST_A}`, want: 'allow[1]' },
    { name: 'digest pin: tag beside the digest is ignored', patterns: [`quay.io/a/b:9@${DIGEST_A}`], image: `quay.io/a/b:1@${DIGEST_A}`, want: 'allow[0]' },
    { name: 'digest pin: other digest misses', patterns: [`quay.io/a/b@${DIGEST_B}`], image: `quay.io/a/b@${DIGEST_A}`, want: undefined },
    { name: 'allow names one port: other port misses', patterns: ['r.example.com:5000/app'], image: 'r.example.com:6000/app:1', want: undefined },
    { name: 'allow without port misses a ported image', patterns: ['r.example.com/app'], image: 'r.example.com:5000/app:1', want: undefined },
    { name: 'deny without port matches every port', patterns: ['r.example.com/app'], kind: 'deny', image: 'r.example.com:5000/app:1', want: 'deny[0]' },
    { name: 'host glob: same label count and last label', patterns: ['*.example.com/app'], image: 'eu.example.com/app:1', want: 'allow[0]' },
    { name: 'host glob: more labels miss', patterns: ['*.example.com/app'], image: 'a.b.example.com/app:1', want: undefined },
    { name: 'host glob with a glob last label', patterns: ['registry.*/app'], image: 'registry.io/app:1', want: 'allow[0]' },
    { name: 'host glob never matches an IPv6 host', patterns: ['*/app', '[::1]:5000/app'], image: '[::1]:5000/app:1', want: 'allow[1]' },
    { name: 'Docker Hub short names', patterns: ['nginx', 'grafana/*'], image: 'docker.io/grafana/grafana:11', want: 'allow[1]' },
    { name: 'no pattern, no match', patterns: [], image: 'nginx', want: undefined },
  ])('$name', ({ patterns, kind, image, want }) => {
    const set = compile(patterns, kind ?? 'allow');
    expect(lookUp(set, image)?.origin).toBe(want);
    expect(lookUp(set, image)).toBe(scan(set, image));
  });
});

const registryPart = fc.constantFrom('', 'docker.io/', 'quay.io/', 'r.example.com/', 'r.example.com:5000/', 'localhost:5000/', '[::1]:5000/', '*.example.com/', 'r.*.com/', '*.*.com/', '**/');
const patternComponent = fc.constantFrom('a', 'b', 'app', 'library', 'a-*', '*', '*p*', '**');
const patternTag = fc.constantFrom('', ':1', ':1.*', ':latest', ':*', ':2');
const patternDigest = fc.constantFrom('', `@${DIGEST_A}`, `@${DIGEST_B}`);
const patternSource = fc
  .tuple(registryPart, fc.array(patternComponent, { minLength: 1, maxLength: 3 }), patternTag, patternDigest)
  .map(([registry, path, tag, digest]) => `${registry}${path.join('/')}${tag}${digest}`)
  .filter((source) => parsePattern(source).ok);

const imageRegistry = fc.constantFrom('', 'docker.io/', 'index.docker.io/', 'quay.io/', 'r.example.com/', 'r.example.com:5000/', 'r.example.com:6000/', 'q.example.com/', 'r.x.com/', 'localhost:5000/', '[::1]:5000/');
const imageComponent = fc.constantFrom('a', 'b', 'app', 'library', 'a-1', 'apple', 'x');
const imageTag = fc.constantFrom('', ':1', ':1.5', ':2', ':latest');
const imageSource = fc
  .tuple(imageRegistry, fc.array(imageComponent, { minLength: 1, maxLength: 4 }), imageTag, patternDigest)
  .map(([registry, path, tag, digest]) => `${registry}${path.join('/')}${tag}${digest}`);

// Few repositories and many tags and digests: buckets outgrow the short-list size and get keyed.
const crowdedPatternSource = fc
  .tuple(fc.constantFrom('quay.io/a', 'quay.io/b', 'quay.io/*'), fc.constantFrom('', ':1', ':2', ':1.*', ':latest', ':*'), patternDigest)
  .map(([name, tag, digest]) => `${name}${tag}${digest}`);

describe('index agrees with a scan in file order', () => {
  test.each<{ name: string; kind: PatternKind; patterns: fc.Arbitrary<string[]> }>([
    { name: 'allow lists', kind: 'allow', patterns: fc.array(patternSource, { maxLength: 40 }) },
    { name: 'deny lists (no port means every port)', kind: 'deny', patterns: fc.array(patternSource, { maxLength: 40 }) },
    { name: 'crowded allow lists', kind: 'allow', patterns: fc.array(crowdedPatternSource, { minLength: 10, maxLength: 60 }) },
  ])('$name', ({ kind, patterns: patternLists }) => {
    fc.assert(
      fc.property(patternLists, fc.array(imageSource, { minLength: 1, maxLength: 10 }), (patterns, images) => {
        const set = compile(patterns, kind);
        for (const image of images) expect(lookUp(set, image)).toBe(scan(set, image));
      }),
      { numRuns: 1500 },
    );
  });
});
