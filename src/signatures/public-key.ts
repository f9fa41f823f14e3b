// Public keys from PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, what `cosign
// generate-key-pair` writes to cosign.pub), restricted to what cosign signs with: ECDSA P-256,
// P-384 and P-521, Ed25519, and RSA of 2048 to 4096 bits (sigstore's key-size rule).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { CURVE_ALGORITHMS, type KeyAlgorithm } from './algorithms';
import { PublicKeyError } from './errors';
import { readPemBlock } from './pem';

export const PUBLIC_KEY_PEM_LABEL = 'PUBLIC KEY';
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 4096;

/** Labels of files someone may point a policy at by mistake, with what to give instead. */
const MISTAKEN_LABELS: Readonly<Record<string, string>> = {
  'ENCRYPTED SIGSTORE PRIVATE KEY': 'this is a cosign private key; give the public key (cosign.pub)',
  'ENCRYPTED COSIGN PRIVATE KEY': 'this is a cosign private key; give the public key (cosign.pub)',
  'PRIVATE KEY': 'this is a private key; give its public key (openssl pkey -pubout)',
  'EC PRIVATE KEY': 'this is a private key; give its public key (openssl pkey -pubout)',
  'RSA PRIVATE KEY': 'this is a private key; give its public key (openssl pkey -pubout)',
  'RSA PUBLIC KEY': 'this is a PKCS#1 RSA key; give it as SubjectPublicKeyInfo ("PUBLIC KEY", openssl rsa -RSAPublicKey_in -pubout)',
  CERTIFICATE: 'this is a certificate; certificate (keyless) signatures are not supported, give a public key',
};

export interface VerificationKey {
  /** The name the policy gives the key, shown in every result and reason. */
  readonly name: string;
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: KeyObject;
  /** `sha256:<hex>` of the SubjectPublicKeyInfo DER: identifies the key in logs without the PEM. */
  readonly fingerprint: string;
}

function classify(name: string, key: KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const algorithm = Object.hasOwn(CURVE_ALGORITHMS, curve) ? CURVE_ALGORITHMS[curve] : undefined;
    if (algorithm === undefined) throw new PublicKeyError('unsupported-curve', name, `ECDSA curve ${curve} is not supported (use P-256, P-384 or P-521)`);
    return algorithm;
  }
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      throw new PublicKeyError('rsa-size', name, `RSA key has ${bits} bits; cosign keys have ${MIN_RSA_BITS} to ${MAX_RSA_BITS}`);
    }
    return 'rsa';
  }
  throw new PublicKeyError('unsupported-algorithm', name, `${type ?? 'unknown'} keys are not supported (use ECDSA, Ed25519 or RSA)`);
}

/** Wraps an already-parsed public key (the signing side derives one from its private key). */
export function toVerificationKey(name: string, publicKey: KeyObject): VerificationKey {
  const algorithm = classify(name, publicKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return Object.freeze({ name, algorithm, publicKey, fingerprint: `sha256:${createHash('sha256').update(der).digest('hex')}` });
}

/** Parses a PEM public key; throws PublicKeyError naming `name` and the fault. */
export function parsePublicKey(name: string, pem: string): VerificationKey {
  const block = readPemBlock(pem);
  if ('fault' in block) throw new PublicKeyError('not-pem', name, block.fault);
  if (block.label !== PUBLIC_KEY_PEM_LABEL) {
    const hint = Object.hasOwn(MISTAKEN_LABELS, block.label) ? MISTAKEN_LABELS[block.label] : `give a "${PUBLIC_KEY_PEM_LABEL}" block`;
    throw new PublicKeyError('not-public-key', name, `PEM block is "${block.label}": ${hint}`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch {
    throw new PublicKeyError('malformed', name, 'the PUBLIC KEY block is not a valid SubjectPublicKeyInfo');
  }
  return toVerificationKey(name, publicKey);
}
