// cosign's encrypted private key file: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign 1.x wrote
// "ENCRYPTED COSIGN PRIVATE KEY") around go-securesystemslib's JSON box:
//   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
//    "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}
// The box holds the PKCS#8 DER key, sealed with NaCl secretbox (XSalsa20-Poly1305) under the
// scrypt-derived key. Reading accepts the three parameter sets go-securesystemslib accepts;
// writing uses N=32768, which every cosign version reads (newer ones write N=65536).
import { createPrivateKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { PrivateKeyError, PublicKeyError } from './errors';
import { readPemBlock, writePemBlock } from './pem';
import { toSigningKey, type SigningKey } from './signing-key';
import { parseStrictJson } from './strict-json';

export const SIGSTORE_PRIVATE_KEY_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PRIVATE_KEY_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';
const KDF_NAME = 'scrypt';
const CIPHER_NAME = 'nacl/secretbox';
const SALT_BYTES = 32;
/** Legacy (cosign's first keys), standard and OWASP strength: the only ones a box may name. */
export const SCRYPT_PARAMETER_SETS: readonly ScryptParameters[] = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];
const WRITTEN_PARAMETERS: ScryptParameters = { N: 32768, r: 8, p: 1 };

export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function deriveKey(password: string, salt: Uint8Array, parameters: ScryptParameters): Promise<Buffer> {
  const { N, r, p } = parameters;
  // scrypt needs 128 * N * r bytes; node refuses above `maxmem`, whose default is just too small.
  const maxmem = 2 * 128 * N * r;
  return new Promise((resolve, reject) => scrypt(Buffer.from(password, 'utf8'), salt, nacl.secretbox.keyLength, { N, r, p, maxmem }, (error, key) => (error === null ? resolve(key) : reject(error))));
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBase64(value: unknown, field: string, length?: number): Buffer {
  const bytes = typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (bytes === undefined || bytes.toString('base64') !== value || (length !== undefined && bytes.length !== length)) {
    throw new PrivateKeyError('malformed', `${field} is not ${length === undefined ? 'base64' : `${length} bytes of base64`}`);
  }
  return bytes;
}

/** Opens go-securesystemslib's encrypted JSON box; throws PrivateKeyError. */
export async function openEncryptedBox(box: Uint8Array, password: string): Promise<Buffer> {
  const parsed = parseStrictJson(box);
  if (!parsed.ok || !isObject(parsed.value)) throw new PrivateKeyError('malformed', 'the encrypted key is not a JSON object');
  const { kdf, cipher, ciphertext } = parsed.value;
  if (!isObject(kdf) || kdf['name'] !== KDF_NAME || !isObject(kdf['params'])) throw new PrivateKeyError('unsupported-kdf', `key derivation must be ${KDF_NAME}`);
  const params = kdf['params'];
  const parameters = SCRYPT_PARAMETER_SETS.find((set) => set.N === params['N'] && set.r === params['r'] && set.p === params['p']);
  if (parameters === undefined) throw new PrivateKeyError('unsupported-kdf', 'scrypt parameters are not one of N=32768/65536/131072 with r=8, p=1');
  if (!isObject(cipher) || cipher['name'] !== CIPHER_NAME) throw new PrivateKeyError('unsupported-cipher', `cipher must be ${CIPHER_NAME}`);
  const salt = readBase64(kdf['salt'], 'kdf.salt');
  const nonce = readBase64(cipher['nonce'], 'cipher.nonce', nacl.secretbox.nonceLength);
  const sealed = readBase64(ciphertext, 'ciphertext');
  const opened = nacl.secretbox.open(sealed, nonce, await deriveKey(password, salt, parameters));
  if (opened === null) throw new PrivateKeyError('wrong-password', 'cannot decrypt: wrong password, or the file was altered');
  return Buffer.from(opened);
}

/** Seals `plaintext` the way go-securesystemslib's Encrypt does, with N=32768. */
export async function sealEncryptedBox(plaintext: Uint8Array, password: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const sealed = nacl.secretbox(plaintext, nonce, await deriveKey(password, salt, WRITTEN_PARAMETERS));
  const document = {
    kdf: { name: KDF_NAME, params: WRITTEN_PARAMETERS, salt: salt.toString('base64') },
    cipher: { name: CIPHER_NAME, nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
  return Buffer.from(JSON.stringify(document), 'utf8');
}

/** Reads cosign.key; `name` is what the signer is called in results. Throws PrivateKeyError. */
export async function decryptCosignPrivateKey(name: string, pem: string, password: string): Promise<SigningKey> {
  const block = readPemBlock(pem);
  if ('fault' in block) throw new PrivateKeyError('not-pem', block.fault);
  if (block.label !== SIGSTORE_PRIVATE_KEY_LABEL && block.label !== COSIGN_PRIVATE_KEY_LABEL) {
    throw new PrivateKeyError('unsupported-pem-type', `PEM block is "${block.label}", not "${SIGSTORE_PRIVATE_KEY_LABEL}" (cosign import-key-pair converts other keys)`);
  }
  const der = await openEncryptedBox(block.der, password);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new PrivateKeyError('not-pkcs8', 'the decrypted key is not PKCS#8, which cosign requires');
  }
  try {
    return toSigningKey(name, privateKey);
  } catch (error) {
    if (error instanceof PublicKeyError) throw new PrivateKeyError('unsupported-algorithm', error.message);
    throw error;
  }
}

/** Writes `key` as cosign.key ("ENCRYPTED SIGSTORE PRIVATE KEY"), readable by `cosign sign --key`. */
export async function encryptCosignPrivateKey(key: SigningKey, password: string): Promise<string> {
  const der = key.privateKey.export({ type: 'pkcs8', format: 'der' });
  return writePemBlock(SIGSTORE_PRIVATE_KEY_LABEL, await sealEncryptedBox(der, password));
}
