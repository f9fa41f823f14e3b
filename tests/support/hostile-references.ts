// Hostile image strings, as data: long runs of the characters the reference grammar repeats, the
// inputs a backtracking regular expression chokes on. The unit tests prove each is refused; make
// bench (hostile part) times them, since a time bound in a test only measures the machine.
import { ANCHORED_DOMAIN_NAME, ANCHORED_PATH_COMPONENT, ANCHORED_TAG, DOMAIN_AND_PORT, REMOTE_NAME } from '../../src/reference';
import { anchored } from '../../src/reference/grammar';

export const KIB_64 = 65536;
/** Just under the parser's length cap, where every grammar piece still runs. */
const NEAR_CAP = 4000;

function fit(unit: string, length: number): string {
  return unit.repeat(Math.floor(length / unit.length));
}

/** Whole image strings parseImageReference must refuse. */
export const HOSTILE_REFERENCES: readonly { readonly name: string; readonly input: string }[] = [
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
];

/**
 * The exported grammar pieces on input they must not match. They are exported for a pattern
 * parser, which may not cap length first, so they must be linear on their own.
 */
export const HOSTILE_GRAMMAR_INPUTS: readonly { readonly name: string; readonly pattern: RegExp; readonly input: string }[] = [
  { name: 'pathComponent on "a-" run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a-', KIB_64)}!` },
  { name: 'pathComponent on "a__" run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a__', KIB_64)}_` },
  { name: 'pathComponent on "a." run', pattern: ANCHORED_PATH_COMPONENT, input: `${fit('a.', KIB_64)}.` },
  { name: 'remoteName on deep path', pattern: anchored(REMOTE_NAME), input: `${fit('a-a/', KIB_64)}/` },
  { name: 'domainName on "a-" run', pattern: ANCHORED_DOMAIN_NAME, input: fit('a-', KIB_64) },
  { name: 'domainName on "a." run', pattern: ANCHORED_DOMAIN_NAME, input: fit('a.', KIB_64) },
  { name: 'domainAndPort on IPv6 junk', pattern: anchored(DOMAIN_AND_PORT), input: `[${fit(':', KIB_64)}` },
  { name: 'domainAndPort on host with colons', pattern: anchored(DOMAIN_AND_PORT), input: `${fit('a-a.', KIB_64)}:1:` },
  { name: 'tag on long word', pattern: ANCHORED_TAG, input: 'a'.repeat(KIB_64) },
];
