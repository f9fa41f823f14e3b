// Public face of cosign-compatible signatures: public keys a policy names, the simple-signing
// payload, verification of a signature manifest's layers for one digest, and the signing side
// (keys, payloads, cosign's registry layout, cosign's encrypted key file). Pure: bytes and
// strings in, values out; the registry reads and writes live in src/registry.
export { ACCEPTED_SCHEMES, KEY_ALGORITHMS, type KeyAlgorithm, SIGNATURE_SCHEMES, type SignatureScheme } from './algorithms';
export {
  COSIGN_PRIVATE_KEY_LABEL,
  SCRYPT_PARAMETER_SETS,
  SIGSTORE_PRIVATE_KEY_LABEL,
  decryptCosignPrivateKey,
  encryptCosignPrivateKey,
  openEncryptedBox,
  sealEncryptedBox,
} from './encrypted-key';
export { PRIVATE_KEY_FAULTS, PUBLIC_KEY_FAULTS, PrivateKeyError, type PrivateKeyFault, PublicKeyError, type PublicKeyFault } from './errors';
export { type ImageRepository, findRepositoryMismatch } from './identity';
export {
  DOCKER_CONFIG_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  type LayerDescriptor,
  MAX_SIGNATURE_LAYERS,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  type SignatureImage,
  type SignatureMediaTypes,
  buildSignatureImage,
  describeSignatureLayer,
  parseSignatureManifest,
  sha256Digest,
  signatureTag,
} from './layout';
export {
  COSIGN_SIGNATURE_TYPE,
  MAX_PAYLOAD_BYTES,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type SimpleSigningPayload,
  buildSimpleSigningPayload,
  parseSimpleSigningPayload,
} from './payload';
export { MAX_RSA_BITS, MIN_RSA_BITS, PUBLIC_KEY_PEM_LABEL, type VerificationKey, parsePublicKey } from './public-key';
export { MAX_SIGNATURE_BASE64_LENGTH } from './signature-encoding';
export { DEFAULT_KEY_ALGORITHM, type SigningKey, exportPublicKeyPem, generateSigningKey, signPayload, toSigningKey } from './signing-key';
export {
  SIGNATURE_FAULTS,
  type SignatureCandidate,
  type SignatureCheck,
  type SignatureFault,
  type SignedImage,
  type VerificationResult,
  type VerifyOptions,
  verifyCosignSignatures,
} from './verify';
