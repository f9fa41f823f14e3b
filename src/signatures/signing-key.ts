// Private keys that sign: generated here (for `policy push --sign-key` and the test signer) or
// decrypted from cosign's key file. Signatures are base64 of the scheme's bytes, as cosign puts
// them in the signature annotation.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { signWithDefaultScheme, type KeyAlgorithm } from './algorithms';
import { toVerificationKey, type VerificationKey } from './public-key';
import { encodeSignature } from './signature-encoding';

/** cosign generate-key-pair's default. */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';
export const DEFAULT_RSA_BITS = 3072;

export interface SigningKey {
  readonly algorithm: KeyAlgorithm;
  readonly privateKey: KeyObject;
  /** What verifiers are given, under the name the signer is known by. */
  readonly publicKey: VerificationKey;
}

const CURVES: Readonly<Partial<Record<KeyAlgorithm, string>>> = { 'ecdsa-p256': 'prime256v1', 'ecdsa-p384': 'secp384r1', 'ecdsa-p521': 'secp521r1' };

function generatePrivateKey(algorithm: KeyAlgorithm, rsaBits: number): KeyObject {
  const namedCurve = CURVES[algorithm];
  if (namedCurve !== undefined) return generateKeyPairSync('ec', { namedCurve }).privateKey;
  if (algorithm === 'rsa') return generateKeyPairSync('rsa', { modulusLength: rsaBits }).privateKey;
  return generateKeyPairSync('ed25519').privateKey;
}

/** Wraps a private key; throws PublicKeyError when cosign could not use its type or size. */
export function toSigningKey(name: string, privateKey: KeyObject): SigningKey {
  const publicKey = toVerificationKey(name, createPublicKey(privateKey));
  return Object.freeze({ algorithm: publicKey.algorithm, privateKey, publicKey });
}

/** A new key; `rsaBits` applies to RSA only and must be 2048 to 4096. */
export function generateSigningKey(name: string, algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM, rsaBits: number = DEFAULT_RSA_BITS): SigningKey {
  return toSigningKey(name, generatePrivateKey(algorithm, rsaBits));
}

/** The base64 signature annotation value for `payload`. */
export function signPayload(key: SigningKey, payload: Uint8Array): string {
  return encodeSignature(signWithDefaultScheme(key.algorithm, key.privateKey, payload));
}

/** `-----BEGIN PUBLIC KEY-----`, what cosign writes to cosign.pub. */
export function exportPublicKeyPem(key: SigningKey | VerificationKey): string {
  const publicKey = 'privateKey' in key ? key.publicKey.publicKey : key.publicKey;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
