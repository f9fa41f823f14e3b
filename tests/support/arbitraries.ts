// fast-check generators shared by the property tests: image strings that are valid by
// construction (with the parts they were built from, as an oracle), near-misses made by mutating
// them, and hostile strings. Every property runs with FIXED_SEED so a failure reproduces exactly.
import fc from 'fast-check';

/** One seed for every property: a failure prints it, and a re-run replays the same inputs. */
export const FIXED_SEED = 20260727;

/** Run options for fc.assert: reproducible, and small enough that the suite stays fast. */
export function propertyRuns(numRuns: number): fc.Parameters<unknown> {
  return { seed: FIXED_SEED, numRuns, endOnFailure: true };
}

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const HEX = '0123456789abcdef'.split('');

/** Characters of the reference grammar, plus the glob star and a few that are always refused. */
export const GRAMMAR_CHARACTERS = 'abcxyzABCXYZ0189._-/:@[]*'.split('');
const REFUSED_CHARACTERS = [' ', '\t', '\n', '\u0000', '\u007f', '\u00e9', '\u200b', '\uff0f', '%', '#', '?', '\\', '"'];

const alphanumeric = fc.string({ unit: fc.constantFrom(...LOWER_ALPHANUMERIC), minLength: 1, maxLength: 8 });
// Separators without "." so that a first path component never reads as a registry host.
const pathSeparator = fc.constantFrom('_', '__', '-', '--');
const pathSeparatorWithDot = fc.constantFrom('.', '_', '__', '-', '--');

function component(separator: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(alphanumeric, fc.array(fc.tuple(separator, alphanumeric), { maxLength: 2 }))
    .map(([head, rest]) => head + rest.map(([sep, part]) => sep + part).join(''));
}

export const pathComponent = component(pathSeparator);
const laterPathComponent = component(pathSeparatorWithDot);

const domainLabel = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789'.split('')), minLength: 1, maxLength: 8 });
// The last label starts with a letter: an all-numeric last label is no host name (and all-numeric
// labels would be an IPv4 address in one of its refused spellings).
const topLabel = fc.tuple(fc.constantFrom(...'abcxyzABCXYZ'.split('')), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), maxLength: 7 })).map(([first, rest]) => first + rest);
const domainName = fc
  .tuple(fc.array(domainLabel, { minLength: 1, maxLength: 3 }), topLabel)
  .map(([labels, top]) => [...labels, top].join('.'))
  // Docker Hub's host names must be written in lower case; other hosts are lower-cased.
  .filter((host) => host === host.toLowerCase() || !['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.docker.io', 'registry.hub.docker.com'].includes(host.toLowerCase()));
const port = fc.integer({ min: 1, max: 65535 }).map(String);

/** A registry as written, and its normalized form (lower-case host, docker.io for index.docker.io). */
export const registryArbitrary: fc.Arbitrary<{ written: string; normalized: string }> = fc.oneof(
  fc.tuple(domainName, fc.option(port, { nil: undefined })).map(([host, written]) => {
    const suffix = written === undefined ? '' : `:${written}`;
    const lower = host.toLowerCase();
    return { written: host + suffix, normalized: (lower === 'index.docker.io' ? 'docker.io' : lower) + suffix };
  }),
  fc.constantFrom(
    { written: 'localhost', normalized: 'localhost' },
    { written: 'localhost:5000', normalized: 'localhost:5000' },
    { written: 'docker.io', normalized: 'docker.io' },
    { written: 'index.docker.io', normalized: 'docker.io' },
    { written: 'registry-1.docker.io:443', normalized: 'docker.io' },
    { written: '[::ffff:a00:1]:5000', normalized: '10.0.0.1:5000' },
    { written: 'registry.example.com', normalized: 'registry.example.com' },
    { written: 'Registry.Example.COM:443', normalized: 'registry.example.com:443' },
    { written: '[::1]:5000', normalized: '[::1]:5000' },
    { written: '127.0.0.1:5000', normalized: '127.0.0.1:5000' },
  ),
);

export const tagArbitrary = fc
  .tuple(
    fc.constantFrom(...'abcXYZ019_'.split('')),
    fc.string({ unit: fc.constantFrom(...'abcXYZ019_.-'.split('')), maxLength: 20 }),
  )
  .map(([head, rest]) => head + rest);

export const digestArbitrary = fc.string({ unit: fc.constantFrom(...HEX), minLength: 64, maxLength: 64 }).map((hex) => `sha256:${hex}`);

/** A valid image string and the normalized parts a correct parser must find in it. */
export interface BuiltReference {
  readonly written: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export const builtReferenceArbitrary: fc.Arbitrary<BuiltReference> = fc
  .record({
    registry: fc.option(registryArbitrary, { nil: undefined, freq: 2 }),
    first: pathComponent,
    rest: fc.array(laterPathComponent, { maxLength: 3 }),
    tag: fc.option(tagArbitrary, { nil: undefined, freq: 2 }),
    digest: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: digestArbitrary }),
  })
  .map(({ registry, first, rest, tag, digest }) => {
    const path = [first, ...rest].join('/');
    const normalizedRegistry = registry?.normalized ?? 'docker.io';
    const repository = normalizedRegistry === 'docker.io' && rest.length === 0 ? `library/${path}` : path;
    const written = `${registry === undefined ? '' : `${registry.written}/`}${path}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
    return { written, registry: normalizedRegistry, repository, tag: tag ?? (digest === undefined ? 'latest' : undefined), digest };
  });

/** A valid reference with one random edit: insert, delete or replace one character. */
export const mutatedReferenceArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    builtReferenceArbitrary,
    fc.nat(),
    fc.constantFrom('insert', 'delete', 'replace'),
    fc.constantFrom(...GRAMMAR_CHARACTERS, ...REFUSED_CHARACTERS),
  )
  .map(([built, where, edit, character]) => {
    const text = built.written;
    const at = where % (text.length + 1);
    if (edit === 'insert') return text.slice(0, at) + character + text.slice(at);
    if (edit === 'delete') return text.slice(0, at) + text.slice(at + 1);
    return text.slice(0, at) + character + text.slice(at + 1);
  });

/** Short strings over the grammar's own alphabet: most are invalid in interesting ways. */
export const grammarNoiseArbitrary = fc.string({ unit: fc.constantFrom(...GRAMMAR_CHARACTERS), maxLength: 80 });

/** Any string at all: every code point, lone surrogates excepted (JSON cannot carry those either). */
export const anyStringArbitrary = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'binary-ascii', maxLength: 60 }));

/** Every kind of image string the tests throw at the parser, weighted toward the interesting ones. */
export const imageStringArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: builtReferenceArbitrary.map((built) => built.written) },
  { weight: 3, arbitrary: mutatedReferenceArbitrary },
  { weight: 2, arbitrary: grammarNoiseArbitrary },
  { weight: 1, arbitrary: anyStringArbitrary },
);

// Units that stress a backtracking engine when repeated: runs of separators, dots, dashes,
// brackets and colons between alphanumerics, and characters refused only after a long valid prefix.
const HOSTILE_UNITS = ['a', 'a-', 'a.', 'a_', 'a__', 'a--', 'a/', '/', '.', ':', '@', '[', ']', '[:', '1:', 'a-.', '-', '_', 'A', '\u200b', 'é'];
const HOSTILE_TAILS = ['', '!', '-', '.', '/', ':', '@', '/x', '.-/x', '::1]/x', ':latest', '@sha256:00', ' '];
const HOSTILE_HEADS = ['', 'registry.example.com/', 'localhost:', '[', 'a:', 'app@sha256:', 'r.io/'];
export const KIB_64 = 64 * 1024;

/** Long repetitive strings up to 64 KiB, the shapes that make a careless regular expression explode. */
export const hostileStringArbitrary: fc.Arbitrary<string> = fc
  .record({
    head: fc.constantFrom(...HOSTILE_HEADS),
    unit: fc.constantFrom(...HOSTILE_UNITS),
    length: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 5000, max: KIB_64 })),
    tail: fc.constantFrom(...HOSTILE_TAILS),
  })
  .map(({ head, unit, length, tail }) => {
    const body = unit.repeat(Math.max(1, Math.floor((length - head.length - tail.length) / unit.length)));
    return (head + body + tail).slice(0, KIB_64);
  });
