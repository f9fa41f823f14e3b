// Catastrophic-backtracking guard: hostile image strings (up to 64 KiB) are refused quickly.
// The bound is deliberately generous (100 ms, real cost is well under 1 ms) so it never flakes
// but still catches an exponential or quadratic regular expression.
import { performance } from 'node:perf_hooks';
import {
  ANCHORED_DOMAIN_NAME,
  ANCHORED_PATH_COMPONENT,
  ANCHORED_TAG,
  DOMAIN_AND_PORT,
  InvalidImageReferenceError,
  REMOTE_NAME,
  parseImageReference,
} from '../../src/reference';
import { anchored } from '../../src/reference/grammar';

const BOUND_MS = 100;
const KIB_64 = 65536;
const NEAR_CAP = 4000;

function fit(unit: string, length: number): string {
  return unit.repeat(Math.floor(length / unit.length));
}

function millisecondsToRun(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe('parseImageReference refuses hostile input in linear time', () => {
  test.each([
    { name: '64 KiB of letters then "!"', input: `${'a'.repeat(KIB_64)}!` },
    { name: '64 KiB of "a-"', input: fit('a-', KIB_64) },
    { name: '64 KiB of "__"', input: fit('__', KIB_64) },
    { name: '64 KiB of "."', input: fit('.', KIB_64) },
    { name: '64 KiB of "/"', input: fit('/', KIB_64) },
    { name: '64 KiB of "["', input: fit('[', KIB_64) },
    { name: '64 KiB of zero-width spaces', input: fit('\u200b', KIB_64) },
    { name: 'near the cap: letters then "!"', input: `${'a'.repeat(NEAR_CAP)}!` },
    { name: 'near the cap: "a-" run ending in a dash (host)', input: `${fit('a-', NEAR_CAP)}.io/x` },
    { name: 'near the cap: "a." run ending in a dot (host)', input: `${fit('a.', NEAR_CAP)}/x` },
    { name: 'near the cap: dash runs between letters (host)', input: `${fit('a---', NEAR_CAP)}.-/x` },
    { name: 'near the cap: "a-" path', input: fit('a-', NEAR_CAP) },
    { name: 'near the cap: "a__" path', input: fit('a__', NEAR_CAP) },
    { name: 'near the cap: "a_." path', input: `registry.example.com/${fit('a_.', NEAR_CAP)}` },
    { name: 'near the cap: deep separators', input: `r.io/${fit('a/', NEAR_CAP)}` },
    { name: 'near the cap: many slashes', input: `r.io/${fit('/', NEAR_CAP)}` },
    { name: 'near the cap: many colons', input: fit(':', NEAR_CAP) },
    { name: 'near the cap: many at signs', input: fit('@', NEAR_CAP) },
    { name: 'near the cap: "[" heavy IPv6 junk', input: `${fit('[', NEAR_CAP)}::1]/x` },
    { name: 'near the cap: colon-filled brackets', input: `[${fit(':', NEAR_CAP)}]/x` },
    { name: 'near the cap: IPv6 groups without end', input: `[${fit('1:', NEAR_CAP)}/x` },
    { name: 'near the cap: long port', input: `localhost:${fit('1', NEAR_CAP)}/x` },
    { name: 'near the cap: long tag', input: `app:${fit('a-', NEAR_CAP)}` },
    { name: 'near the cap: long digest', input: `app@sha256:${fit('a', NEAR_CAP)}` },
    { name: 'near the cap: long digest algorithm', input: `app@${fit('a-', NEAR_CAP)}:00` },
  ])('$name', ({ input }) => {
    let thrown: unknown;
    const elapsed = millisecondsToRun(() => {
      try {
        parseImageReference(input);
      } catch (error) {
        thrown = error;
      }
    });
    expect(thrown).toBeInstanceOf(InvalidImageReferenceError);
    expect(elapsed).toBeLessThan(BOUND_MS);
  });
});

// The pieces are exported for a pattern parser, which may not cap length first: they must be
// linear on their own.
describe('exported grammar pieces stay linear without the length cap', () => {
  test.each([
    { name: 'pathComponent on "a-" run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a-', KIB_64)}!` },
    { name: 'pathComponent on "a__" run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a__', KIB_64)}_` },
    { name: 'pathComponent on "a." run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a.', KIB_64)}.` },
    { name: 'remoteName on deep path', pattern: anchored(REMOTE_NAME), input: `${fit('a-a/', KIB_64)}/` },
    { name: 'domainName on "a-" run', pattern: ANCHORED_DOMAIN_NAME, input: fit('a-', KIB_64) },
    { name: 'domainName on "a." run', pattern: ANCHORED_DOMAIN_NAME, input: fit('a.', KIB_64) },
    { name: 'domainAndPort on IPv6 junk', pattern: anchored(DOMAIN_AND_PORT), input: `[${fit(':', KIB_64)}` },
    { name: 'domainAndPort on host with colons', pattern: anchored(DOMAIN_AND_PORT), input: `${fit('a-a.', KIB_64)}:1:` },
    { name: 'tag on long word', pattern: ANCHORED_TAG, input: 'a'.repeat(KIB_64) },
  ])('$name', ({ pattern, input }) => {
    let matched = true;
    const elapsed = millisecondsToRun(() => {
      matched = pattern.test(input);
    });
    expect(matched).toBe(false);
    expect(elapsed).toBeLessThan(BOUND_MS);
  });
});
