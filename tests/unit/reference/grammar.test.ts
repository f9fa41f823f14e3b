// One table per named grammar piece, each matched as a whole string (anchored), then
// distribution/reference's own regular-expression tables run against the same pieces.
import {
  ALPHANUMERIC,
  DIGEST,
  DIGEST_ALGORITHM,
  DOMAIN_AND_PORT,
  DOMAIN_COMPONENT,
  DOMAIN_NAME,
  HOST,
  IPV6_ADDRESS,
  PATH_COMPONENT,
  PORT,
  REMOTE_NAME,
  SEPARATOR,
  TAG,
  InvalidImageReferenceError,
  parseImageReference,
} from '../../../src/reference';
import {
  ANCHORED_REFERENCE,
  IDENTIFIER,
  NAME,
  anchored,
  capture,
  literal,
  oneOf,
  optional,
  repeated,
} from '../../../src/reference/grammar';
import { describeInput, loadTable } from './distribution-fixtures';

interface PieceRow {
  readonly name: string;
  readonly input: string;
  readonly match: boolean;
}

function rows(matching: readonly string[], failing: readonly string[]): PieceRow[] {
  return [
    ...matching.map((input) => ({ name: `matches ${JSON.stringify(input)}`, input, match: true })),
    ...failing.map((input) => ({ name: `refuses ${JSON.stringify(input)}`, input, match: false })),
  ];
}

const PIECES: ReadonlyArray<{ readonly piece: string; readonly source: string; readonly rows: PieceRow[] }> = [
  { piece: 'alphanumeric', source: ALPHANUMERIC, rows: rows(['a', 'z9', '0'], ['', 'A', 'a-b', 'a_b']) },
  { piece: 'separator', source: SEPARATOR, rows: rows(['.', '_', '__', '-', '---'], ['', '..', '___', '_.', '-_', '/']) },
  {
    piece: 'pathComponent',
    source: PATH_COMPONENT,
    rows: rows(
      ['a', 'nginx', 'node-exporter', 'a__b', 'a--b', 'ubuntu_12.04', 'a.b.c', 'a-b.c'],
      ['', 'A', 'Nginx', '-a', 'a-', '_a', 'a_', '.a', 'a.', 'a..b', 'a___b', 'a_.b', 'a/b', 'a:b', '..'],
    ),
  },
  {
    piece: 'remoteName',
    source: REMOTE_NAME,
    rows: rows(['a', 'library/nginx', 'a/b/c/d', 'a-b/c_d/e.f'], ['', '/a', 'a/', 'a//b', 'a/B', 'a/../b']),
  },
  {
    piece: 'domainComponent',
    source: DOMAIN_COMPONENT,
    rows: rows(['a', 'A', '0', 'registry', 'my-registry', 'xn--n3h', 'a--b', 'MiXeD'], ['', '-a', 'a-', '-', 'a_b', 'a.b']),
  },
  {
    piece: 'domainName',
    source: DOMAIN_NAME,
    rows: rows(['localhost', 'registry.k8s.io', '127.0.0.1', 'REGISTRY.Example.COM'], ['', '.io', 'a.', 'a..b', 'a.-b', 'a:5000']),
  },
  {
    piece: 'ipv6address',
    source: IPV6_ADDRESS,
    rows: rows(['[::1]', '[2001:db8::1]', '[FC00::1]'], ['::1', '[::1', '::1]', '[]', '[fe80::1%eth0]', '[::ffff:1.2.3.4]']),
  },
  { piece: 'host', source: HOST, rows: rows(['localhost', 'registry.example.com', '[::1]'], ['', '[::1]:5000', 'a_b', 'a/b']) },
  { piece: 'port', source: PORT, rows: rows(['5000', '0', '80'], ['', '50a', '-1', ':5000']) },
  {
    piece: 'domainAndPort',
    source: DOMAIN_AND_PORT,
    rows: rows(['localhost:5000', 'registry.example.com', '[::1]:5000', '127.0.0.1:80'], ['localhost:', ':5000', '[::1]:', 'a:b', 'a:1:2']),
  },
  {
    piece: 'tag',
    source: TAG,
    rows: rows(['latest', '1.25', 'V1_RC-2', '_x', 'a'.repeat(128)], ['', '.x', '-x', 'a:b', 'a/b', 'a@b', 'a'.repeat(129)]),
  },
  {
    piece: 'digestAlgorithm',
    source: DIGEST_ALGORITHM,
    rows: rows(['sha256', 'sha256+b64u', 'multihash.sha256'], ['', 'SHA256', '+sha', 'sha+', 'sha++b']),
  },
  {
    piece: 'digest',
    source: DIGEST,
    rows: rows([`sha256:${'a'.repeat(64)}`, 'md5:abc'], ['sha256', 'sha256:', ':abc', 'sha256:ab/c']),
  },
  { piece: 'identifier', source: IDENTIFIER, rows: rows(['a'.repeat(64)], ['a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), 'g'.repeat(64)]) },
  {
    piece: 'name',
    source: NAME,
    rows: rows(['nginx', 'library/nginx', 'localhost:5000/a/b', '[::1]:5000/x', 'Foo/bar'], ['', 'nginx:1', 'a//b', 'registry.example.com/']),
  },
];

describe.each(PIECES)('grammar piece $piece', ({ source, rows: pieceRows }) => {
  const pattern = anchored(source);
  test.each(pieceRows)('$name', ({ input, match }) => {
    expect(pattern.test(input)).toBe(match);
  });
});

describe('grammar helpers', () => {
  test.each([
    { name: 'literal escapes regular-expression syntax', source: literal('a.b[c]'), input: 'a.b[c]', other: 'axb[c]' },
    { name: 'optional may be absent', source: `a${optional('b')}`, input: 'a', other: 'abb' },
    { name: 'repeated may repeat', source: `a${repeated('b')}`, input: 'abbb', other: 'abc' },
    { name: 'oneOf takes exactly one alternative', source: oneOf('ab', 'cd'), input: 'cd', other: 'abcd' },
    { name: 'capture matches like its contents', source: capture('a+'), input: 'aaa', other: 'b' },
  ])('$name', ({ source, input, other }) => {
    expect(anchored(source).test(input)).toBe(true);
    expect(anchored(source).test(other)).toBe(false);
  });

  test('capture records the group', () => {
    expect(anchored(capture('a+'), 'b').exec('aab')?.[1]).toBe('aa');
  });
});

interface UpstreamRegexpRow {
  readonly input: string;
  readonly match: boolean;
  /** The capture groups distribution's expression yields, "" for a group that took no part. */
  readonly subs?: readonly string[];
}

/** The rows of one regexp_test.go table, from tests/fixtures/distribution-reference/. */
function upstreamRegexpRows(upstreamFunction: string): Array<UpstreamRegexpRow & { readonly name: string }> {
  return loadTable(upstreamFunction).rows.map((row, index) => {
    const { input, match, subs } = row.upstream as unknown as UpstreamRegexpRow;
    const verb = match ? 'matches' : 'refuses';
    return { name: `${upstreamFunction}[${index}] ${verb} ${describeInput(input)}`, input, match, ...(subs === undefined ? {} : { subs }) };
  });
}

/** distribution's anchoredNameRegexp built from our pieces: the optional domain, then the path. */
const NAME_WITH_PARTS = anchored(optional(capture(DOMAIN_AND_PORT), literal('/')), capture(REMOTE_NAME));

/**
 * Rows where our piece deliberately matches a string distribution's expression refuses. Each is
 * checked to still need its entry, and the whole parser must refuse the string.
 */
const LOOSER_THAN_UPSTREAM = [
  {
    table: 'TestReferenceRegexp',
    input: 'registry.com:8080/myapp@sha256:badbadbadbad',
    pattern: ANCHORED_REFERENCE,
    reason:
      "DIGEST is go-digest's grammar (any algorithm, any length); digest.ts then requires a registered " +
      "algorithm and its exact length, where distribution's expression only asks for 32 or more hex digits",
  },
];

const UPSTREAM_PIECES = [
  { table: 'TestDomainRegexp', piece: 'domainAndPort', pattern: anchored(DOMAIN_AND_PORT), captures: false },
  { table: 'TestFullNameRegexp', piece: 'name', pattern: anchored(NAME), captures: false },
  { table: 'TestFullNameRegexp', piece: 'name with captures', pattern: NAME_WITH_PARTS, captures: true },
  { table: 'TestReferenceRegexp', piece: 'reference', pattern: ANCHORED_REFERENCE, captures: true },
  { table: 'TestIdentifierRegexp', piece: 'identifier', pattern: anchored(IDENTIFIER), captures: false },
];

describe.each(UPSTREAM_PIECES)('distribution/reference $table against our $piece', ({ table, pattern, captures }) => {
  const looser = new Set(LOOSER_THAN_UPSTREAM.filter((row) => row.table === table).map((row) => row.input));
  test.each(upstreamRegexpRows(table).filter((row) => !looser.has(row.input)))('$name', ({ input, match, subs }) => {
    const found = pattern.exec(input);
    expect(found !== null).toBe(match);
    if (captures && found !== null && subs !== undefined) {
      expect(found.slice(1).map((group) => group ?? '')).toEqual(subs);
    }
  });
});

describe('pieces deliberately looser than distribution/reference', () => {
  test.each(LOOSER_THAN_UPSTREAM.map((row) => ({ name: `${row.table} ${describeInput(row.input)}`, ...row })))(
    '$name',
    ({ table, input, pattern }) => {
      expect(upstreamRegexpRows(table).find((row) => row.input === input)?.match).toBe(false);
      expect(pattern.test(input)).toBe(true);
      expect(() => parseImageReference(input)).toThrow(InvalidImageReferenceError);
    },
  );
});
