// Which signature schemes a key verifies and signs with, as cosign and sigstore use them. Signing
// follows sigstore's default for the key (GetDefaultAlgorithmDetails: P-256 with SHA-256, P-384
// with SHA-384, P-521 with SHA-512, RSA PKCS#1 v1.5 with SHA-256, pure Ed25519). Verifying also
// accepts what other cosign versions write: `cosign verify --key` hashes ECDSA with SHA-256 unless
// told otherwise, and `cosign sign --key` signs Ed25519 keys with Ed25519ph since sigstore added
// it. A second hash for one ECDSA key gives a forger nothing: SHA-256(m') would have to equal
// SHA-384(m) as a number below the curve order.
import { constants, type KeyObject, sign as signWithNode, verify as verifyWithNode } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519';

export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export const SIGNATURE_SCHEMES = ['ecdsa-sha256', 'ecdsa-sha384', 'ecdsa-sha512', 'rsa-pkcs1v15-sha256', 'ed25519', 'ed25519ph'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** OpenSSL's curve names, as node:crypto reports them, for the curves cosign signs with. */
export const CURVE_ALGORITHMS: Readonly<Record<string, KeyAlgorithm>> = Object.freeze({
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
  secp521r1: 'ecdsa-p521',
});

/** Schemes tried in order when verifying; the first is the one this project signs with. */
export const ACCEPTED_SCHEMES: Readonly<Record<KeyAlgorithm, readonly SignatureScheme[]>> = Object.freeze({
  'ecdsa-p256': ['ecdsa-sha256'],
  'ecdsa-p384': ['ecdsa-sha384', 'ecdsa-sha256'],
  'ecdsa-p521': ['ecdsa-sha512', 'ecdsa-sha256'],
  rsa: ['rsa-pkcs1v15-sha256'],
  ed25519: ['ed25519', 'ed25519ph'],
});

const ECDSA_HASHES: Readonly<Partial<Record<SignatureScheme, string>>> = { 'ecdsa-sha256': 'sha256', 'ecdsa-sha384': 'sha384', 'ecdsa-sha512': 'sha512' };

/** The 32 raw bytes of an Ed25519 public key (noble takes raw keys, node:crypto takes KeyObjects). */
function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const { x } = key.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url');
}

function verifyWithScheme(scheme: SignatureScheme, key: KeyObject, payload: Uint8Array, signature: Uint8Array): boolean {
  const hash = ECDSA_HASHES[scheme];
  if (hash !== undefined) return verifyWithNode(hash, payload, { key, dsaEncoding: 'der' }, signature);
  if (scheme === 'rsa-pkcs1v15-sha256') return verifyWithNode('sha256', payload, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  if (scheme === 'ed25519') return verifyWithNode(null, payload, key, signature);
  return ed25519ph.verify(signature, payload, rawEd25519PublicKey(key));
}

/** The scheme `signature` verifies under, or undefined. Never throws on hostile signature bytes. */
export function findVerifyingScheme(algorithm: KeyAlgorithm, key: KeyObject, payload: Uint8Array, signature: Uint8Array): SignatureScheme | undefined {
  for (const scheme of ACCEPTED_SCHEMES[algorithm]) {
    try {
      if (verifyWithScheme(scheme, key, payload, signature)) return scheme;
    } catch {
      // A malformed signature (bad DER, wrong length) is simply not a valid one.
    }
  }
  return undefined;
}

/** Signs with the key's default scheme; ECDSA signatures are ASN.1 DER, as cosign writes them. */
export function signWithDefaultScheme(algorithm: KeyAlgorithm, privateKey: KeyObject, payload: Uint8Array): Buffer {
  const scheme = ACCEPTED_SCHEMES[algorithm][0];
  const hash = scheme === undefined ? undefined : ECDSA_HASHES[scheme];
  if (hash !== undefined) return signWithNode(hash, payload, { key: privateKey, dsaEncoding: 'der' });
  if (algorithm === 'rsa') return signWithNode('sha256', payload, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  return signWithNode(null, payload, privateKey);
}
