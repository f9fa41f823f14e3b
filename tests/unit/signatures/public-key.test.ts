// Public keys a policy names: the key types cosign signs with parse, everything else is refused
// with a typed error naming the key and the fault.
import { generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PublicKeyError, parsePublicKey, type PublicKeyFault } from '../../../src/signatures';
import { readFixtureText } from '../../support/cosign-fixtures';

type KeyType = 'ec' | 'ed25519' | 'ed448' | 'x25519' | 'rsa';
/** One generator for every key type (node types each overload separately). */
const generate = generateKeyPairSync as (type: KeyType, options: { namedCurve?: string; modulusLength?: number }) => { publicKey: KeyObject };

function spki(type: KeyType, options: { namedCurve?: string; modulusLength?: number } = {}): string {
  return generate(type, options).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function pkcs8(type: 'ec' | 'ed25519'): string {
  const { privateKey } = generateKeyPairSync(type as 'ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

describe('keys cosign signs with', () => {
  test.each([
    { name: 'containers/image cosign.pub (made by cosign generate-key-pair)', pem: readFixtureText('containers-image/cosign.pub'), algorithm: 'ecdsa-p256' },
    { name: 'dangerzone signer key from its Rekor entry', pem: readFixtureText('dangerzone-rocks/signer.pub'), algorithm: 'ecdsa-p256' },
    { name: 'generated P-384', pem: spki('ec', { namedCurve: 'secp384r1' }), algorithm: 'ecdsa-p384' },
    { name: 'generated P-521', pem: spki('ec', { namedCurve: 'secp521r1' }), algorithm: 'ecdsa-p521' },
    { name: 'generated Ed25519', pem: spki('ed25519'), algorithm: 'ed25519' },
    { name: 'generated RSA 2048', pem: spki('rsa', { modulusLength: 2048 }), algorithm: 'rsa' },
    { name: 'CRLF line ends and text around the block', pem: `key for CI\r\n${spki('ed25519').replace(/\n/g, '\r\n')}trailing`, algorithm: 'ed25519' },
  ])('$name parses as $algorithm', ({ pem, algorithm }) => {
    const key = parsePublicKey('ci', pem);
    expect(key.algorithm).toBe(algorithm);
    expect(key.name).toBe('ci');
    expect(key.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('the fingerprint is the hash of the key, whatever the PEM wrapping', () => {
    const pem = readFixtureText('containers-image/cosign.pub');
    expect(parsePublicKey('a', pem).fingerprint).toBe(parsePublicKey('b', `\n\n${pem.replace(/\n/g, '\n  ')}`).fingerprint);
  });
});

describe('hostile and mistaken key files', () => {
  const ed25519Body = spki('ed25519').split('\n').slice(1, -2).join('');
  test.each<{ name: string; pem: string; kind: PublicKeyFault; message: RegExp }>([
    { name: 'empty file', pem: '', kind: 'not-pem', message: /not PEM/ },
    { name: 'garbage', pem: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', kind: 'not-pem', message: /not PEM/ },
    { name: 'no END line', pem: `-----BEGIN PUBLIC KEY-----\n${ed25519Body}\n`, kind: 'not-pem', message: /no "-----END PUBLIC KEY-----"/ },
    { name: 'base64 with a stray character', pem: `-----BEGIN PUBLIC KEY-----\n${ed25519Body.slice(0, 10)}!${ed25519Body.slice(11)}\n-----END PUBLIC KEY-----\n`, kind: 'not-pem', message: /not valid base64/ },
    { name: 'padding in the middle', pem: `-----BEGIN PUBLIC KEY-----\nAA==\n${ed25519Body}\n-----END PUBLIC KEY-----\n`, kind: 'not-pem', message: /not valid base64/ },
    { name: 'PEM headers', pem: `-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n${ed25519Body}\n-----END PUBLIC KEY-----\n`, kind: 'not-pem', message: /headers/ },
    { name: '1 MiB of text', pem: 'A'.repeat(1024 * 1024), kind: 'not-pem', message: /longer than/ },
    { name: 'cosign private key given by mistake', pem: readFixtureText('cosign-keys/sigstore-label.key'), kind: 'not-public-key', message: /cosign private key; give the public key \(cosign.pub\)/ },
    { name: 'PKCS#8 private key', pem: pkcs8('ed25519'), kind: 'not-public-key', message: /this is a private key/ },
    { name: 'certificate (keyless)', pem: readFixtureText('sigstore-rs/kubewarden-fulcio.crt'), kind: 'not-public-key', message: /certificate \(keyless\) signatures are not supported/ },
    { name: 'DER that is not a key', pem: '-----BEGIN PUBLIC KEY-----\nMAMCAQE=\n-----END PUBLIC KEY-----\n', kind: 'malformed', message: /not a valid SubjectPublicKeyInfo/ },
    { name: 'RSA 1024', pem: spki('rsa', { modulusLength: 1024 }), kind: 'rsa-size', message: /RSA key has 1024 bits; cosign keys have 2048 to 4096/ },
    { name: 'secp256k1', pem: spki('ec', { namedCurve: 'secp256k1' }), kind: 'unsupported-curve', message: /curve secp256k1 is not supported/ },
    { name: 'P-224 (below sigstore\'s rule)', pem: spki('ec', { namedCurve: 'secp224r1' }), kind: 'unsupported-curve', message: /secp224r1/ },
    { name: 'Ed448', pem: spki('ed448'), kind: 'unsupported-algorithm', message: /ed448 keys are not supported/ },
    { name: 'X25519 (not a signing key)', pem: spki('x25519'), kind: 'unsupported-algorithm', message: /x25519/ },
  ])('$name: $kind', ({ pem, kind, message }) => {
    let caught: unknown;
    try {
      parsePublicKey('vendor', pem);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PublicKeyError);
    expect(caught).toMatchObject({ kind, keyName: 'vendor' });
    expect((caught as Error).message).toMatch(/^key "vendor": /);
    expect((caught as Error).message).toMatch(message);
  });

  test('an RSA key above 4096 bits is refused', async () => {
    const pem = await new Promise<string>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 4352 }, (error, publicKey) => (error ? reject(error) : resolve(publicKey.export({ type: 'spki', format: 'pem' }).toString()))),
    );
    expect(() => parsePublicKey('big', pem)).toThrow(/RSA key has 4352 bits/);
  });
});
