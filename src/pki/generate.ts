// Certificate generation: a CA, a serving certificate for the webhook and client certificates
// for kube-apiserver, all returned as PEM strings (private keys as PKCS#8). The extensions are
// chosen to pass `openssl verify -x509_strict` and Go's crypto/tls: SKI/AKI, critical key usage
// and basic constraints, SANs for servers, and one EKU per role.
import { describeError } from '../errors';
import { PkiError } from './errors';
import {
  DEFAULT_KEY_TYPE,
  exportPrivateKeyPem,
  generateKeyPair,
  importSigningKey,
  isRsaKeyType,
  privateKeyMatchesCertificate,
  signingAlgorithmFor,
  type CryptoKey,
  type KeyType,
  type SigningKey,
} from './keys';
import { parseSubjectAltNames } from './subject-alt-name';
import { DEFAULT_CA_VALIDITY_DAYS, DEFAULT_LEAF_VALIDITY_DAYS, computeValidity, type Validity, type ValidityOptions } from './validity';
import { x509 } from './x509';

export const DEFAULT_CA_COMMON_NAME = 'image-policy-webhook-ca';
export const DEFAULT_SERVER_COMMON_NAME = 'image-policy-webhook';
export const DEFAULT_CLIENT_COMMON_NAME = 'kube-apiserver';
/** X.520 upper bound for CN and O (ub-common-name, ub-organization-name). */
const MAX_NAME_ATTRIBUTE_LENGTH = 64;
/** The CA signs leaves only, never another CA. */
const CA_PATH_LENGTH = 0;

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  certificate: string;
  privateKey: string;
}

export interface CertificateAuthorityOptions extends ValidityOptions {
  commonName?: string;
  keyType?: KeyType;
}

export interface ServingCertificateOptions extends ValidityOptions {
  /** DNS names and IP addresses the server answers on; at least one. */
  subjectAltNames: readonly string[];
  commonName?: string;
  organizations?: readonly string[];
  keyType?: KeyType;
}

export interface ClientCertificateOptions extends ValidityOptions {
  commonName: string;
  organizations?: readonly string[];
  keyType?: KeyType;
}

interface LeafProfile {
  subject: x509.JsonName;
  keyType: KeyType;
  extendedKeyUsage: x509.ExtendedKeyUsage;
  extraExtensions: x509.Extension[];
  validity: ValidityOptions;
}

function validateNameAttribute(value: string, field: string): string {
  if (value.length === 0 || value.length > MAX_NAME_ATTRIBUTE_LENGTH) {
    throw new PkiError(`${field} must be 1 to ${MAX_NAME_ATTRIBUTE_LENGTH} characters, got ${JSON.stringify(value)}`);
  }
  // Control characters in a DN end up in logs and audit trails verbatim.
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new PkiError(`${field} must not contain control characters, got ${JSON.stringify(value)}`);
  }
  return value;
}

function buildSubject(commonName: string, organizations: readonly string[] = []): x509.JsonName {
  return [
    ...organizations.map((organization) => ({ O: [validateNameAttribute(organization, 'organization')] })),
    { CN: [validateNameAttribute(commonName, 'commonName')] },
  ];
}

/** Parses and checks a CA so leaves are only ever signed by a real CA with its own key. */
export async function loadCertificateAuthority(ca: CertificateAndKey): Promise<{ certificate: x509.X509Certificate; signingKey: SigningKey }> {
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(ca.certificate);
  } catch (error) {
    throw new PkiError(`CA certificate: not a PEM X.509 certificate (${describeError(error)})`);
  }
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (constraints?.ca !== true) {
    throw new PkiError(`CA certificate ${certificate.subject}: not a CA (basicConstraints CA:TRUE is missing)`);
  }
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage !== null && (keyUsage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new PkiError(`CA certificate ${certificate.subject}: key usage does not allow keyCertSign`);
  }
  const signingKey = await importSigningKey(ca.privateKey, 'CA private key');
  if (!privateKeyMatchesCertificate(ca.certificate, ca.privateKey)) {
    throw new PkiError(`CA private key does not match the CA certificate ${certificate.subject}`);
  }
  return { certificate, signingKey };
}

async function buildKeyIdentifiers(publicKey: CryptoKey, issuer: x509.X509Certificate | null): Promise<x509.Extension[]> {
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  // Reuse the issuer's own SKI as our AKI so the chain links even when an external CA computed it differently.
  const issuerKeyId = issuer?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const authorityKeyId =
    issuerKeyId !== undefined
      ? new x509.AuthorityKeyIdentifierExtension(issuerKeyId)
      : await x509.AuthorityKeyIdentifierExtension.create(issuer?.publicKey ?? publicKey);
  return [subjectKeyId, authorityKeyId];
}

export async function generateCertificateAuthority(options: CertificateAuthorityOptions = {}): Promise<CertificateAndKey> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  const subject = buildSubject(options.commonName ?? DEFAULT_CA_COMMON_NAME);
  const validity = computeValidity(options, DEFAULT_CA_VALIDITY_DAYS);
  const keys = await generateKeyPair(keyType);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    ...validity,
    signingAlgorithm: signingAlgorithmFor(keyType),
    extensions: [
      new x509.BasicConstraintsExtension(true, CA_PATH_LENGTH, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ...(await buildKeyIdentifiers(keys.publicKey, null)),
    ],
  });
  return { certificate: certificate.toString('pem'), privateKey: await exportPrivateKeyPem(keys.privateKey) };
}

/** A leaf is useless once its CA expires, so it never claims to outlive it (as cfssl does). */
function clampToIssuer(validity: Validity, issuer: x509.X509Certificate): Validity {
  const notAfter = validity.notAfter.getTime() > issuer.notAfter.getTime() ? issuer.notAfter : validity.notAfter;
  if (notAfter.getTime() <= validity.notBefore.getTime()) {
    throw new PkiError(
      `CA certificate ${issuer.subject} expires ${issuer.notAfter.toISOString()}, before the new certificate's notBefore ${validity.notBefore.toISOString()}: renew the CA first`,
    );
  }
  return { notBefore: validity.notBefore, notAfter };
}

async function generateLeafCertificate(ca: CertificateAndKey, profile: LeafProfile): Promise<CertificateAndKey> {
  const issuer = await loadCertificateAuthority(ca);
  const validity = clampToIssuer(computeValidity(profile.validity, DEFAULT_LEAF_VALIDITY_DAYS), issuer.certificate);
  const keys = await generateKeyPair(profile.keyType);
  const keyUsage = isRsaKeyType(profile.keyType)
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  const certificate = await x509.X509CertificateGenerator.create({
    subject: profile.subject,
    // The issuer's encoded name, byte for byte, so chain building never depends on re-encoding a DN.
    issuer: issuer.certificate.subjectName,
    publicKey: keys.publicKey,
    signingKey: issuer.signingKey.key,
    signingAlgorithm: issuer.signingKey.signingAlgorithm,
    ...validity,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([profile.extendedKeyUsage]),
      ...profile.extraExtensions,
      ...(await buildKeyIdentifiers(keys.publicKey, issuer.certificate)),
    ],
  });
  return { certificate: certificate.toString('pem'), privateKey: await exportPrivateKeyPem(keys.privateKey) };
}

export async function generateServingCertificate(ca: CertificateAndKey, options: ServingCertificateOptions): Promise<CertificateAndKey> {
  const names = parseSubjectAltNames(options.subjectAltNames);
  if (names.length === 0) {
    throw new PkiError('subjectAltNames must name at least one DNS name or IP address: clients match the host against SANs only');
  }
  return generateLeafCertificate(ca, {
    subject: buildSubject(options.commonName ?? DEFAULT_SERVER_COMMON_NAME, options.organizations),
    keyType: options.keyType ?? DEFAULT_KEY_TYPE,
    extendedKeyUsage: x509.ExtendedKeyUsage.serverAuth,
    extraExtensions: [new x509.SubjectAlternativeNameExtension(names.map(({ type, value }) => ({ type, value })))],
    validity: options,
  });
}

export async function generateClientCertificate(ca: CertificateAndKey, options: ClientCertificateOptions): Promise<CertificateAndKey> {
  return generateLeafCertificate(ca, {
    subject: buildSubject(options.commonName, options.organizations),
    keyType: options.keyType ?? DEFAULT_KEY_TYPE,
    extendedKeyUsage: x509.ExtendedKeyUsage.clientAuth,
    extraExtensions: [],
    validity: options,
  });
}
