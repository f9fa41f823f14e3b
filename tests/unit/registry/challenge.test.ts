// parseChallenges reads WWW-Authenticate headers as registries send them, and refuses hostile
// ones (unterminated quotes, oversized headers) in linear time.
import { MAX_CHALLENGE_LENGTH, parseChallenges } from '../../../src/registry';

function simplify(header: string): Array<[string, Record<string, string>]> | undefined {
  return parseChallenges(header)?.map((challenge) => [challenge.scheme, Object.fromEntries(challenge.params)]);
}

test.each([
  {
    name: 'Docker Hub bearer challenge',
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    want: [['bearer', { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' }]],
  },
  { name: 'distribution htpasswd challenge', header: 'Basic realm="test-registry"', want: [['basic', { realm: 'test-registry' }]] },
  { name: 'scheme is case-insensitive, names lower-cased', header: 'BEARER Realm="r", SERVICE=s', want: [['bearer', { realm: 'r', service: 's' }]] },
  { name: 'token values unquoted, spaces around "="', header: 'Bearer realm = "r" , service = svc', want: [['bearer', { realm: 'r', service: 'svc' }]] },
  { name: 'comma inside a quoted value', header: 'Bearer realm="r",scope="repository:a:pull,push"', want: [['bearer', { realm: 'r', scope: 'repository:a:pull,push' }]] },
  { name: 'escaped quote in a value', header: 'Basic realm="say \\"hi\\""', want: [['basic', { realm: 'say "hi"' }]] },
  { name: 'two challenges in one header', header: 'Basic realm="b", Bearer realm="https://t",service="s"', want: [['basic', { realm: 'b' }], ['bearer', { realm: 'https://t', service: 's' }]] },
  { name: 'a scheme without parameters', header: 'Negotiate', want: [['negotiate', {}]] },
  { name: 'empty header', header: '', want: [] },
  { name: 'unterminated quote', header: 'Bearer realm="https://auth', want: undefined },
  { name: 'starts with a separator that is not a token', header: '"Bearer"', want: undefined },
  { name: 'oversized header', header: `Bearer realm="${'a'.repeat(MAX_CHALLENGE_LENGTH)}"`, want: undefined },
])('$name', ({ header, want }) => {
  expect(simplify(header)).toEqual(want);
});

test('hostile headers up to the cap are read in linear time', () => {
  const hostile = [`Bearer ${'a='.repeat(MAX_CHALLENGE_LENGTH / 2 - 4)}`, `${',  '.repeat(MAX_CHALLENGE_LENGTH / 3)}`, `Bearer realm="${'\\"'.repeat(MAX_CHALLENGE_LENGTH / 2 - 10)}`];
  // Generous bound: only catastrophic backtracking could come near it.
  const started = process.hrtime.bigint();
  for (const header of hostile) parseChallenges(header);
  expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
});
