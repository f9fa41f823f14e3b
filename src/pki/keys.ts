// Key types, key generation and PEM import/export. Generated keys are exported as PKCS#8 PEM;
// existing CA keys may also be PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"), as kubeadm
// and `openssl genrsa` write them, so Node's key parser converts them before WebCrypto sees them.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { describeError } from '../errors';
import { PkiError } from './errors';
import { webcrypto, x509 } from './x509';

export const KEY_TYPES = ['ecdsa-p256', 'rsa-2048', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = 'ecdsa-p256';

/** Below this an RSA CA key is refused: Go's crypto/tls and OpenSSL security level 2 reject it. */
const MIN_RSA_MODULUS_BITS = 2048;
const RSA_PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);
const SIGNATURE_HASH = 'SHA-256';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A private key ready to sign certificates, with the signature algorithm that fits it. */
export interface SigningKey {
  key: CryptoKey;
  signingAlgorithm: { name: string; hash: string };
}

const GENERATION_ALGORITHMS: Record<KeyType, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams> = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: RSA_PUBLIC_EXPONENT, hash: SIGNATURE_HASH },
  'rsa-4096': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: RSA_PUBLIC_EXPONENT, hash: SIGNATURE_HASH },
};

/** EC curves an existing CA key may use (Node's name → WebCrypto's name and the matching hash). */
const SUPPORTED_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

export function isRsaKeyType(keyType: KeyType): boolean {
  return keyType.startsWith('rsa-');
}

export async function generateKeyPair(keyType: KeyType): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(GENERATION_ALGORITHMS[keyType], true, ['sign', 'verify']);
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function parsePrivateKey(pem: string, label: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new PkiError(`${label}: encrypted private keys are not supported; decrypt it first (openssl pkey -in FILE -out FILE)`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new PkiError(`${label}: not a PEM private key (${describeError(error)})`);
  }
}

/** Imports an existing private key (PKCS#8, PKCS#1 or SEC1 PEM) for signing certificates. */
export async function importSigningKey(pem: string, label = 'private key'): Promise<SigningKey> {
  const keyObject = parsePrivateKey(pem, label);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (keyObject.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_MODULUS_BITS) {
      throw new PkiError(`${label}: RSA key must have at least ${MIN_RSA_MODULUS_BITS} bits, got ${bits}`);
    }
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: SIGNATURE_HASH };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, signingAlgorithm: algorithm };
  }
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = SUPPORTED_CURVES[details.namedCurve ?? ''];
    if (curve === undefined) {
      throw new PkiError(`${label}: EC curve must be one of ${Object.keys(SUPPORTED_CURVES).join(', ')}, got ${details.namedCurve ?? 'unknown'}`);
    }
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve.namedCurve }, false, ['sign']);
    return { key, signingAlgorithm: { name: 'ECDSA', hash: curve.hash } };
  }
  throw new PkiError(`${label}: key type must be RSA or EC, got ${keyObject.asymmetricKeyType ?? 'unknown'}`);
}

/** The signature algorithm for a key this module generated. */
export function signingAlgorithmFor(keyType: KeyType): SigningKey['signingAlgorithm'] {
  return isRsaKeyType(keyType) ? { name: 'RSASSA-PKCS1-v1_5', hash: SIGNATURE_HASH } : { name: 'ECDSA', hash: SIGNATURE_HASH };
}

/** The key type of a certificate's public key, when it is one this module generates; undefined otherwise. */
export function findCertificateKeyType(certificatePem: string): KeyType | undefined {
  const publicKey = new X509Certificate(certificatePem).publicKey;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (publicKey.asymmetricKeyType === 'ec') return details.namedCurve === 'prime256v1' ? 'ecdsa-p256' : undefined;
  if (publicKey.asymmetricKeyType !== 'rsa') return undefined;
  return KEY_TYPES.find((keyType) => {
    const algorithm = GENERATION_ALGORITHMS[keyType];
    return 'modulusLength' in algorithm && algorithm.modulusLength === details.modulusLength;
  });
}

/** True when the private key is the one whose public half the certificate carries. */
export function privateKeyMatchesCertificate(certificatePem: string, privateKeyPem: string): boolean {
  return new X509Certificate(certificatePem).checkPrivateKey(parsePrivateKey(privateKeyPem, 'private key'));
}
