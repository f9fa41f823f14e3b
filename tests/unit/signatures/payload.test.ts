// The simple-signing payload: built byte-for-byte as cosign writes it (checked against payloads
// real cosign signed) and read strictly from the exact bytes, hostile ones included.
import { MAX_PAYLOAD_BYTES, buildSimpleSigningPayload, parseSimpleSigningPayload } from '../../../src/signatures';
import { REAL_COSIGN_SIGNATURES } from '../../support/cosign-fixtures';

const DIGEST = 'sha256:7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7';
const VALID = buildSimpleSigningPayload('registry.example.com/app', DIGEST).toString('utf8');

describe('building the payload', () => {
  test.each(REAL_COSIGN_SIGNATURES)('reproduces the bytes of $name', ({ payload, registry, repository, digest }) => {
    expect(buildSimpleSigningPayload(`${registry}/${repository}`, digest).equals(payload)).toBe(true);
  });

  test('annotations go to "optional" with keys sorted and HTML characters escaped, as Go writes them', () => {
    const built = buildSimpleSigningPayload('registry.example.com/app', DIGEST, { 'git-sha': 'abc', build: '<1> & 2' }).toString('utf8');
    expect(built).toContain('"optional":{"build":"\\u003c1\\u003e \\u0026 2","git-sha":"abc"}');
    expect(parseSimpleSigningPayload(Buffer.from(built))).toMatchObject({ ok: true, payload: { optional: { build: '<1> & 2', 'git-sha': 'abc' } } });
  });
});

describe('reading the payload', () => {
  test.each(REAL_COSIGN_SIGNATURES)('reads $name', ({ payload, registry, repository, digest }) => {
    expect(parseSimpleSigningPayload(payload)).toEqual({ ok: true, payload: { dockerReference: `${registry}/${repository}`, digest, optional: null } });
  });

  test('a containers/image payload with creator and timestamp in "optional" is read', () => {
    const text = VALID.replace('"optional":null', '"optional":{"creator":"containers/image 5.30","timestamp":1484683104}');
    expect(parseSimpleSigningPayload(Buffer.from(text))).toMatchObject({ ok: true, payload: { optional: { timestamp: 1484683104 } } });
  });

  const replace = (from: string, to: string): Buffer => Buffer.from(VALID.replace(from, to), 'utf8');
  test.each<{ name: string; bytes: Buffer; fault: RegExp }>([
    { name: 'not JSON', bytes: Buffer.from('&'), fault: /payload is not JSON/ },
    { name: 'empty', bytes: Buffer.alloc(0), fault: /payload is not JSON/ },
    { name: 'JSON but an array', bytes: Buffer.from('[]'), fault: /payload is not an object/ },
    { name: 'invalid UTF-8', bytes: Buffer.concat([Buffer.from(VALID.slice(0, 10)), Buffer.from([0xff]), Buffer.from(VALID.slice(10))]), fault: /not valid UTF-8/ },
    { name: 'a byte-order mark', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]), fault: /payload is not JSON/ },
    { name: 'two "critical" keys, the second naming another digest', bytes: Buffer.from(VALID.replace(/^\{/, `{"critical":${JSON.stringify(JSON.parse(VALID).critical)},`)), fault: /the key "critical" twice/ },
    { name: 'a duplicate digest key written with an escape', bytes: replace('"docker-manifest-digest":', '"docker-manifest-digest":"sha256:0","docker-manifest-\\u0064igest":'), fault: /the key "docker-manifest-digest" twice/ },
    { name: 'an extra key in critical', bytes: replace('"type":', '"extra":1,"type":'), fault: /critical has the unexpected key "extra"/ },
    { name: 'an extra top-level key', bytes: replace('"optional":null', '"optional":null,"signature":"x"'), fault: /payload has the unexpected key "signature"/ },
    { name: 'keys in another case (Go would accept them)', bytes: replace('"critical"', '"Critical"'), fault: /unexpected key "Critical"/ },
    { name: 'no "optional"', bytes: replace(',"optional":null', ''), fault: /payload has no "optional"/ },
    { name: '"optional" is an array', bytes: replace('"optional":null', '"optional":[]'), fault: /optional is neither null nor an object/ },
    { name: 'another signature type', bytes: replace('cosign container image signature', 'atomic container signature'), fault: /critical.type is "atomic container signature"/ },
    { name: 'type in another case', bytes: replace('cosign container image signature', 'Cosign Container Image Signature'), fault: /not "cosign container image signature"/ },
    { name: 'digest with upper-case hex', bytes: replace(DIGEST, DIGEST.toUpperCase().replace('SHA256', 'sha256')), fault: /docker-manifest-digest: sha256 digest must be 64 lowercase hex/ },
    { name: 'digest is a number', bytes: replace(`"${DIGEST}"`, '1'), fault: /docker-manifest-digest is not a string/ },
    { name: 'identity without docker-reference', bytes: replace('"docker-reference":"registry.example.com/app"', '"docker-ref":"x"'), fault: /critical.identity has the unexpected key "docker-ref"/ },
    { name: 'docker-reference is null', bytes: replace('"registry.example.com/app"', 'null'), fault: /docker-reference is not a string/ },
    { name: 'payload above the size limit', bytes: replace('"optional":null', `"optional":{"pad":"${'x'.repeat(MAX_PAYLOAD_BYTES)}"}`), fault: /payload is \d+ bytes, more than 65536/ },
  ])('$name', ({ bytes, fault }) => {
    const parsed = parseSimpleSigningPayload(bytes);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.fault).toMatch(fault);
  });

  test('deep nesting inside "optional" (which is not read) neither throws nor is refused', () => {
    const nested = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(parseSimpleSigningPayload(replace('"optional":null', `"optional":${nested}`)).ok).toBe(true);
  });
});
