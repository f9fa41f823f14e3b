// cosign's encrypted private key file, read from keys cosign itself generated (its own test data)
// and written so that the same reader, cosign's format rules and openssl agree with it.
import {
  PrivateKeyError,
  SIGSTORE_PRIVATE_KEY_LABEL,
  buildSimpleSigningPayload,
  decryptCosignPrivateKey,
  encryptCosignPrivateKey,
  generateSigningKey,
  openEncryptedBox,
  sealEncryptedBox,
  signPayload,
  verifyCosignSignatures,
  type KeyAlgorithm,
  type PrivateKeyFault,
} from '../../../src/signatures';
import { readFixtureText } from '../../support/cosign-fixtures';

interface BoxVector {
  readonly name: string;
  readonly box: object;
  readonly plaintext?: string;
}
const VECTORS = JSON.parse(readFixtureText('go-securesystemslib/encrypted-vectors.json')) as { password: string; opens: BoxVector[]; refused: BoxVector[] };

describe('keys cosign generated', () => {
  test.each([
    { name: 'ENCRYPTED SIGSTORE PRIVATE KEY (cosign 2.x), N=32768', file: 'cosign-keys/sigstore-label.key', password: 'hello' },
    { name: 'ENCRYPTED COSIGN PRIVATE KEY (cosign 1.x)', file: 'cosign-keys/cosign-label.key', password: 'hello' },
    { name: 'empty password, N=65536 (newer cosign)', file: 'cosign-keys/empty-password.key', password: '' },
  ])('$name opens and signs what its public key verifies', async ({ file, password }) => {
    const key = await decryptCosignPrivateKey('ci', readFixtureText(file), password);
    expect(key.algorithm).toBe('ecdsa-p256');
    const image = { registry: 'registry.example.com', repository: 'app', digest: `sha256:${'3'.repeat(64)}` };
    const payload = buildSimpleSigningPayload('registry.example.com/app', image.digest);
    const layer = { layerDigest: 'sha256:x', mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, payload, signature: signPayload(key, payload) };
    expect(verifyCosignSignatures(image, [layer], [key.publicKey], { checkRepository: true }).verified).toBe(true);
  });

  test.each<{ name: string; file: string; password: string; kind: PrivateKeyFault; message: RegExp }>([
    { name: 'wrong password', file: 'cosign-keys/sigstore-label.key', password: 'hellO', kind: 'wrong-password', message: /wrong password/ },
    { name: 'a SEC1 key inside (cosign refuses it too)', file: 'cosign-keys/cosign-label-sec1.key', password: 'hello', kind: 'not-pkcs8', message: /not PKCS#8, which cosign requires/ },
    { name: 'a public key given instead', file: 'containers-image/cosign.pub', password: 'hello', kind: 'unsupported-pem-type', message: /PEM block is "PUBLIC KEY"/ },
  ])('$name: $kind', async ({ file, password, kind, message }) => {
    const attempt = decryptCosignPrivateKey('ci', readFixtureText(file), password);
    await expect(attempt).rejects.toBeInstanceOf(PrivateKeyError);
    await expect(attempt).rejects.toMatchObject({ kind, message: expect.stringMatching(message) });
  });
});

describe("go-securesystemslib's box", () => {
  test.each(VECTORS.opens)('$name opens', async ({ box, plaintext }) => {
    expect((await openEncryptedBox(Buffer.from(JSON.stringify(box)), VECTORS.password)).toString('utf8')).toBe(plaintext);
  });

  test.each(VECTORS.refused)('$name is refused before any key derivation', async ({ box }) => {
    await expect(openEncryptedBox(Buffer.from(JSON.stringify(box)), VECTORS.password)).rejects.toMatchObject({ kind: 'unsupported-kdf' });
  });

  const legacy = VECTORS.opens[0]?.box as { kdf: object; cipher: { nonce: string }; ciphertext: string };
  const edited = (change: (box: Record<string, unknown>) => void): Buffer => {
    const box = JSON.parse(JSON.stringify(legacy)) as Record<string, unknown>;
    change(box);
    return Buffer.from(JSON.stringify(box));
  };
  test.each<{ name: string; box: Buffer; kind: PrivateKeyFault }>([
    { name: 'not JSON', box: Buffer.from('not json'), kind: 'malformed' },
    { name: 'another cipher', box: edited((box) => (box['cipher'] = { name: 'aes-gcm', nonce: legacy.cipher.nonce })), kind: 'unsupported-cipher' },
    { name: 'another key derivation', box: edited((box) => (box['kdf'] = { name: 'pbkdf2', params: {}, salt: '' })), kind: 'unsupported-kdf' },
    { name: 'scrypt with N=2^30 (a memory bomb)', box: edited((box) => ((box['kdf'] as { params: object }).params = { N: 1073741824, r: 8, p: 1 })), kind: 'unsupported-kdf' },
    { name: 'a short nonce', box: edited((box) => (box['cipher'] = { name: 'nacl/secretbox', nonce: 'AAAA' })), kind: 'malformed' },
    { name: 'ciphertext with one byte flipped', box: edited((box) => (box['ciphertext'] = `A${legacy.ciphertext.slice(1)}`)), kind: 'wrong-password' },
    { name: 'ciphertext that is not base64', box: edited((box) => (box['ciphertext'] = '%%%')), kind: 'malformed' },
    { name: 'the ciphertext key twice', box: Buffer.from(JSON.stringify(legacy).replace('"ciphertext":', '"ciphertext":"","ciphertext":')), kind: 'malformed' },
  ])('$name: $kind', async ({ box, kind }) => {
    await expect(openEncryptedBox(box, VECTORS.password)).rejects.toMatchObject({ kind });
  });

  test('sealing writes the legacy parameters every cosign reads, in go-securesystemslib\'s field order', async () => {
    const sealed = (await sealEncryptedBox(Buffer.from('secret'), 'pw')).toString('utf8');
    expect(sealed).toMatch(/^\{"kdf":\{"name":"scrypt","params":\{"N":32768,"r":8,"p":1\},"salt":"[A-Za-z0-9+/]{43}="\},"cipher":\{"name":"nacl\/secretbox","nonce":"[A-Za-z0-9+/]{32}"\},"ciphertext":"[A-Za-z0-9+/=]+"\}$/);
    expect((await openEncryptedBox(Buffer.from(sealed), 'pw')).toString('utf8')).toBe('secret');
  });
});

test.each<KeyAlgorithm>(['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa'])('a generated %s key round-trips through cosign.key', async (algorithm) => {
  const key = generateSigningKey('release', algorithm, 2048);
  const pem = await encryptCosignPrivateKey(key, 'correct horse');
  expect(pem.startsWith(`-----BEGIN ${SIGSTORE_PRIVATE_KEY_LABEL}-----\n`)).toBe(true);
  expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
  const read = await decryptCosignPrivateKey('release', pem, 'correct horse');
  expect(read.publicKey.fingerprint).toBe(key.publicKey.fingerprint);
  await expect(decryptCosignPrivateKey('release', pem, 'wrong')).rejects.toMatchObject({ kind: 'wrong-password' });
});
