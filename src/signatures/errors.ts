// Typed errors for key material. A policy loader prefixes `file:line:` and shows the message as
// it is; tests and callers branch on `kind`. Messages name the key and the fault, never a secret.

export const PUBLIC_KEY_FAULTS = ['not-pem', 'not-public-key', 'malformed', 'unsupported-algorithm', 'unsupported-curve', 'rsa-size'] as const;
export type PublicKeyFault = (typeof PUBLIC_KEY_FAULTS)[number];

/** A public key file that cannot verify anything. */
export class PublicKeyError extends Error {
  override readonly name = 'PublicKeyError';

  constructor(
    readonly kind: PublicKeyFault,
    readonly keyName: string,
    fault: string,
  ) {
    super(`key "${keyName}": ${fault}`);
  }
}

export const PRIVATE_KEY_FAULTS = [
  'not-pem',
  'unsupported-pem-type',
  'malformed',
  'unsupported-kdf',
  'unsupported-cipher',
  'wrong-password',
  'not-pkcs8',
  'unsupported-algorithm',
] as const;
export type PrivateKeyFault = (typeof PRIVATE_KEY_FAULTS)[number];

/** An encrypted cosign private key that cannot be opened or used for signing. */
export class PrivateKeyError extends Error {
  override readonly name = 'PrivateKeyError';

  constructor(
    readonly kind: PrivateKeyFault,
    fault: string,
  ) {
    super(`private key: ${fault}`);
  }
}
