// Reading certificates back: the facts an operator checks (subject, issuer, SANs, EKUs, expiry)
// and the two relations that make a PKI work (this key belongs to this certificate, this
// certificate was signed by that CA).
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { describeError } from '../errors';
import { PkiError } from './errors';
import { x509 } from './x509';

const EXTENDED_KEY_USAGE_NAMES: Record<string, string> = {
  [x509.ExtendedKeyUsage.serverAuth]: 'serverAuth',
  [x509.ExtendedKeyUsage.clientAuth]: 'clientAuth',
  [x509.ExtendedKeyUsage.codeSigning]: 'codeSigning',
  [x509.ExtendedKeyUsage.emailProtection]: 'emailProtection',
  [x509.ExtendedKeyUsage.timeStamping]: 'timeStamping',
  [x509.ExtendedKeyUsage.ocspSigning]: 'ocspSigning',
};
const SUBJECT_ALT_NAME_PREFIXES: Record<string, string> = { dns: 'DNS', ip: 'IP', email: 'email', url: 'URI' };

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** `DNS:name` / `IP:address`, in certificate order. */
  subjectAltNames: string[];
  /** Names such as `serverAuth`; unknown purposes as their OID. Empty when the extension is absent. */
  extendedKeyUsages: string[];
  isCertificateAuthority: boolean;
  /** `ECDSA P-256`, `RSA 2048`, ... */
  keyAlgorithm: string;
}

function parseCertificate(pem: string, label: string): x509.X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new PkiError(`${label}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
  }
  try {
    return new x509.X509Certificate(pem);
  } catch (error) {
    throw new PkiError(`${label}: not a valid X.509 certificate (${describeError(error)})`);
  }
}

function describeKeyAlgorithm(certificate: x509.X509Certificate): string {
  const algorithm: { name: string; namedCurve?: string; modulusLength?: number } = certificate.publicKey.algorithm;
  return [algorithm.name === 'RSASSA-PKCS1-v1_5' ? 'RSA' : algorithm.name, algorithm.namedCurve ?? algorithm.modulusLength]
    .filter((part) => part !== undefined)
    .join(' ');
}

export function inspectCertificate(pem: string, label = 'certificate'): CertificateSummary {
  const certificate = parseCertificate(pem, label);
  const names = certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  const usages = certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subjectAltNames: names.map(({ type, value }) => `${SUBJECT_ALT_NAME_PREFIXES[type] ?? type}:${value}`),
    extendedKeyUsages: usages.map((usage) => EXTENDED_KEY_USAGE_NAMES[String(usage)] ?? String(usage)),
    isCertificateAuthority: certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true,
    keyAlgorithm: describeKeyAlgorithm(certificate),
  };
}

/** Why `certificatePem` was not issued by `caPem`, or undefined when it was (name, key id and signature). */
export function explainIssuerMismatch(certificatePem: string, caPem: string): string | undefined {
  const certificate = new NodeX509Certificate(certificatePem);
  const ca = new NodeX509Certificate(caPem);
  if (!certificate.checkIssued(ca)) {
    const issuer = inspectCertificate(certificatePem).issuer;
    const caSubject = inspectCertificate(caPem).subject;
    // Same name, different key: another CA generated with the default name (e.g. a second `pki` run).
    return issuer === caSubject
      ? `issued by another CA with the same name "${issuer}" (its authority key identifier is not the CA's key)`
      : `issued by "${issuer}", not by the CA "${caSubject}"`;
  }
  if (!certificate.verify(ca.publicKey)) {
    return `names the CA "${inspectCertificate(caPem).subject}" as issuer, but its signature does not verify with the CA's key`;
  }
  return undefined;
}
