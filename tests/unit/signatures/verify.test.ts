// Verification of one digest's signatures against a rule's keys, as named rows: real cosign
// signatures accepted, every way a signature can be wrong refused with its own reason, and
// hostile layers refused without throwing.
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519';
import {
  MAX_PAYLOAD_BYTES,
  SIMPLE_SIGNING_MEDIA_TYPE,
  buildSimpleSigningPayload,
  generateSigningKey,
  parsePublicKey,
  signPayload,
  verifyCosignSignatures,
  type KeyAlgorithm,
  type SignatureCandidate,
  type SignedImage,
  type SigningKey,
  type VerificationKey,
} from '../../../src/signatures';
import { REAL_COSIGN_SIGNATURES, readFixtureText } from '../../support/cosign-fixtures';

const IMAGE: SignedImage = { registry: 'registry.example.com', repository: 'team/app', digest: `sha256:${'1'.repeat(64)}` };
const OTHER_DIGEST = `sha256:${'2'.repeat(64)}`;
const ci = generateSigningKey('ci');
const intruder = generateSigningKey('intruder');
const STRICT = { checkRepository: true };

function candidate(payload: Buffer, signature: string | undefined, overrides: Partial<SignatureCandidate> = {}): SignatureCandidate {
  return { layerDigest: `sha256:${'f'.repeat(64)}`, mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, signature, payload, ...overrides };
}

function signed(key: SigningKey, reference = `${IMAGE.registry}/${IMAGE.repository}`, digest = IMAGE.digest): SignatureCandidate {
  const payload = buildSimpleSigningPayload(reference, digest);
  return candidate(payload, signPayload(key, payload));
}

describe('signatures real cosign made', () => {
  test.each(REAL_COSIGN_SIGNATURES)('$name verifies', ({ publicKeyPem, payload, signature, registry, repository, digest }) => {
    const key = parsePublicKey('signer', publicKeyPem);
    const result = verifyCosignSignatures({ registry, repository, digest }, [candidate(payload, signature)], [key], STRICT);
    expect(result).toMatchObject({ verified: true, key: 'signer', digest, fingerprint: key.fingerprint });
  });

  test.each(REAL_COSIGN_SIGNATURES)('$name with one payload byte changed is refused', ({ publicKeyPem, payload, signature, registry, repository, digest }) => {
    const tampered = Buffer.from(payload);
    tampered[tampered.length - 3] = 0x20;
    const result = verifyCosignSignatures({ registry, repository, digest }, [candidate(tampered, signature)], [parsePublicKey('signer', publicKeyPem)], STRICT);
    expect(result).toMatchObject({ verified: false, reason: 'no valid signature by signer: signed by another key' });
  });

  test.each(REAL_COSIGN_SIGNATURES)('$name with its signature altered is refused', ({ publicKeyPem, payload, signature, registry, repository, digest }) => {
    const bytes = Buffer.from(signature, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    const result = verifyCosignSignatures({ registry, repository, digest }, [candidate(payload, bytes.toString('base64'))], [parsePublicKey('signer', publicKeyPem)], STRICT);
    expect(result.verified).toBe(false);
  });

  test('the busybox signature checked against the key sigstore-rs uses as "another key"', () => {
    const real = REAL_COSIGN_SIGNATURES[0];
    if (real === undefined) throw new Error('fixture missing');
    const result = verifyCosignSignatures(real, [candidate(real.payload, real.signature)], [parsePublicKey('vendor', readFixtureText('sigstore-rs/other.pub'))], STRICT);
    expect(result).toMatchObject({ verified: false, reason: 'no valid signature by vendor: signed by another key' });
  });

  test.each([
    { name: 'a valid signature over "&" (not JSON)', index: 0, fault: /covers a payload that is not a cosign signature: payload is not JSON/ },
    { name: 'a valid signature over "{}"', index: 1, fault: /covers a payload that is not a cosign signature: payload has no "critical"/ },
  ])('containers/image: $name is refused after the signature checks out', ({ index, fault }) => {
    const vectors = JSON.parse(readFixtureText('containers-image/blob-signatures.json')) as { payload: string; signature: string }[];
    const vector = vectors[index];
    if (vector === undefined) throw new Error('fixture missing');
    const result = verifyCosignSignatures(IMAGE, [candidate(Buffer.from(vector.payload), vector.signature)], [parsePublicKey('ci', readFixtureText('containers-image/cosign.pub'))], STRICT);
    expect(result).toMatchObject({ verified: false, checks: [{ ok: false, fault: 'not-cosign-payload' }] });
    if (!result.verified) expect(result.reason).toMatch(fault);
  });
});

describe('each case decided with its reason', () => {
  const tamperedPayload = (): SignatureCandidate => {
    const good = signed(ci);
    return { ...good, payload: buildSimpleSigningPayload(`${IMAGE.registry}/${IMAGE.repository}`, OTHER_DIGEST) };
  };
  const tamperedSignature = (): SignatureCandidate => {
    const good = signed(ci);
    const bytes = Buffer.from(good.signature ?? '', 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    return { ...good, signature: bytes.toString('base64') };
  };
  test.each<{ name: string; candidates: () => SignatureCandidate[]; keys?: VerificationKey[]; checkRepository?: boolean; verified?: true; reason?: string | RegExp }>([
    { name: 'a signed digest', candidates: () => [signed(ci)], verified: true },
    { name: 'unsigned', candidates: () => [], reason: 'no valid signature by ci: the image has no cosign signature' },
    { name: 'signed by another key', candidates: () => [signed(intruder)], reason: 'no valid signature by ci: signed by another key' },
    { name: 'signature for another digest', candidates: () => [signed(ci, undefined, OTHER_DIGEST)], reason: 'no valid signature by ci: signature by ci is for another digest (sha256:222222222222...)' },
    { name: 'payload naming another repository', candidates: () => [signed(ci, 'registry.example.com/team/other')], reason: 'no valid signature by ci: signature by ci names another repository ("registry.example.com/team/other")' },
    { name: 'payload naming another repository, check relaxed', candidates: () => [signed(ci, 'mirror.example.com/team/app')], checkRepository: false, verified: true },
    { name: 'the same path on Docker Hub is another repository', candidates: () => [signed(ci, 'index.docker.io/team/app')], reason: /names another repository \("docker.io\/team\/app"\)/ },
    { name: 'tampered payload', candidates: () => [tamperedPayload()], reason: 'no valid signature by ci: signed by another key' },
    { name: 'tampered signature', candidates: () => [tamperedSignature()], reason: 'no valid signature by ci: signed by another key' },
    { name: 'several signatures of which one is valid', candidates: () => [signed(intruder), tamperedPayload(), signed(ci, undefined, OTHER_DIGEST), signed(ci)], verified: true },
    { name: 'several signatures, none valid: the most telling reason wins', candidates: () => [signed(intruder), signed(ci, undefined, OTHER_DIGEST)], reason: /^no valid signature by ci: signature by ci is for another digest .* \(2 signatures checked\)$/ },
    { name: 'any one of the rule\'s keys suffices', candidates: () => [signed(intruder)], keys: [ci.publicKey, intruder.publicKey], verified: true },
    { name: 'reason names every key of the rule', candidates: () => [], keys: [ci.publicKey, intruder.publicKey, generateSigningKey('release').publicKey], reason: /^no valid signature by ci, intruder or release:/ },
  ])('$name', ({ candidates, keys = [ci.publicKey], checkRepository = true, verified, reason }) => {
    const result = verifyCosignSignatures(IMAGE, candidates(), keys, { checkRepository });
    if (verified === true) expect(result).toMatchObject({ verified: true, digest: IMAGE.digest });
    else {
      expect(result.verified).toBe(false);
      if (!result.verified) expect(result.reason).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason ?? /./));
    }
  });
});

test('a Docker Hub image signed by cosign (which writes index.docker.io/library/...) verifies', () => {
  const hub: SignedImage = { registry: 'docker.io', repository: 'library/nginx', digest: IMAGE.digest };
  const result = verifyCosignSignatures(hub, [signed(ci, 'index.docker.io/library/nginx')], [ci.publicKey], STRICT);
  expect(result.verified).toBe(true);
});

describe('hostile layers are refused without throwing', () => {
  const good = signed(ci);
  const payload = good.payload ?? Buffer.alloc(0);
  test.each<{ name: string; layer: SignatureCandidate; fault: string; detail: RegExp }>([
    { name: 'no signature annotation', layer: { ...good, signature: undefined }, fault: 'no-signature-annotation', detail: /no signature annotation/ },
    { name: 'signature is not base64', layer: { ...good, signature: '&' }, fault: 'bad-signature-encoding', detail: /not base64/ },
    { name: 'extra padding', layer: { ...good, signature: `${good.signature}=` }, fault: 'bad-signature-encoding', detail: /not base64/ },
    { name: 'truncated base64', layer: { ...good, signature: (good.signature ?? '').slice(0, -1) }, fault: 'bad-signature-encoding', detail: /not base64/ },
    { name: 'non-canonical last character', layer: { ...good, signature: 'AB==' }, fault: 'bad-signature-encoding', detail: /not canonical base64/ },
    { name: 'whitespace in the signature', layer: { ...good, signature: ` ${good.signature}` }, fault: 'bad-signature-encoding', detail: /not base64/ },
    { name: 'a megabyte of signature', layer: { ...good, signature: 'A'.repeat(1024 * 1024) }, fault: 'bad-signature-encoding', detail: /longer than 2048/ },
    { name: 'empty signature', layer: { ...good, signature: '' }, fault: 'bad-signature-encoding', detail: /not base64/ },
    { name: 'valid base64 that is not DER', layer: { ...good, signature: Buffer.from('invalid signature').toString('base64') }, fault: 'no-accepted-key', detail: /signed by another key/ },
    { name: 'wrong layer media type', layer: { ...good, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }, fault: 'wrong-media-type', detail: /layer media type is "application\/vnd.oci.image.layer.v1.tar\+gzip"/ },
    { name: 'huge declared size', layer: { ...good, size: 1024 * 1024 * 1024, payload: undefined }, fault: 'payload-too-large', detail: /larger than 65536/ },
    { name: 'huge payload', layer: candidate(Buffer.concat([payload, Buffer.alloc(MAX_PAYLOAD_BYTES)]), good.signature, { size: 10 }), fault: 'payload-too-large', detail: /larger than 65536/ },
    { name: 'media type with control characters', layer: { ...good, mediaType: 'x\n\u0000y' }, fault: 'wrong-media-type', detail: /"x\\n\\u0000y"/ },
  ])('$name', ({ layer, fault, detail }) => {
    const result = verifyCosignSignatures(IMAGE, [layer], [ci.publicKey], STRICT);
    expect(result).toMatchObject({ verified: false, checks: [{ ok: false, fault }] });
    const check = result.checks[0];
    if (check !== undefined && !check.ok) expect(check.detail).toMatch(detail);
  });
});

describe('every key type, with the schemes cosign versions sign with', () => {
  const payload = buildSimpleSigningPayload(`${IMAGE.registry}/${IMAGE.repository}`, IMAGE.digest);
  const verifies = (key: SigningKey, signature: Buffer): boolean =>
    verifyCosignSignatures(IMAGE, [candidate(payload, signature.toString('base64'))], [key.publicKey], STRICT).verified;

  test.each<KeyAlgorithm>(['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa'])('%s: what this project signs verifies', (algorithm) => {
    const key = generateSigningKey('ci', algorithm, 2048);
    expect(verifyCosignSignatures(IMAGE, [candidate(payload, signPayload(key, payload))], [key.publicKey], STRICT).verified).toBe(true);
  });

  test.each([
    { name: 'P-384 with SHA-384 (cosign sign, sigstore default)', algorithm: 'ecdsa-p384' as const, hash: 'sha384', valid: true },
    { name: 'P-384 with SHA-256 (older cosign sign)', algorithm: 'ecdsa-p384' as const, hash: 'sha256', valid: true },
    { name: 'P-521 with SHA-512', algorithm: 'ecdsa-p521' as const, hash: 'sha512', valid: true },
    { name: 'P-256 with SHA-384 (no cosign writes it)', algorithm: 'ecdsa-p256' as const, hash: 'sha384', valid: false },
    { name: 'RSA with SHA-512 (no cosign default writes it)', algorithm: 'rsa' as const, hash: 'sha512', valid: false },
  ])('$name', ({ algorithm, hash, valid }) => {
    const key = generateSigningKey('ci', algorithm, 2048);
    expect(verifies(key, sign(hash, payload, { key: key.privateKey, dsaEncoding: 'der' }))).toBe(valid);
  });

  test('Ed25519ph (what cosign sign --key writes for Ed25519 keys) verifies', () => {
    const key = generateSigningKey('ci', 'ed25519');
    const seed = Buffer.from(key.privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    expect(verifies(key, Buffer.from(ed25519ph.sign(payload, seed)))).toBe(true);
  });

  test('RFC 8032 Ed25519ph vector verifies through the same path', () => {
    const vector = JSON.parse(readFixtureText('rfc8032/ed25519ph-abc.json')) as { publicKey: string; message: string; signature: string; secretKey: string };
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(vector.publicKey, 'hex').toString('base64url'), d: Buffer.from(vector.secretKey, 'hex').toString('base64url') };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const key = parsePublicKey('rfc', createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString());
    const result = verifyCosignSignatures(IMAGE, [candidate(Buffer.from(vector.message, 'hex'), Buffer.from(vector.signature, 'hex').toString('base64'))], [key], STRICT);
    // The signature checks out; "abc" is then refused as a payload, which proves the ph scheme matched.
    expect(result.checks[0]).toMatchObject({ ok: false, fault: 'not-cosign-payload' });
  });
});
